/**
 * Row "token to an HTTP proxy": the CLI with a proxy variable set, against a
 * loopback API URL (must go direct), and against an https one the proxy is
 * asked to tunnel to and refuses, closes or never answers. The proxy records
 * every byte it receives.
 */
import { startRecordingProxy } from './fault-proxy.mjs';
import { API_TOKEN, checkCleanFailure, FAST, firstErrorLine, makeRow, openCase, pool } from './lib.mjs';

/** Requests per call, the first included (src/api/retry.ts DEFAULT_RETRY.maxAttempts). */
const MAX_ATTEMPTS = 6;
/** Calls a plan of the example makes before it can fail: the profile and the customer listings. */
const PLAN_CALLS = 2;

function targets(emulatorUrl) {
  const port = new URL(emulatorUrl).port;
  return [
    { name: 'loopback 127.0.0.1', url: emulatorUrl, direct: true },
    { name: 'loopback localhost', url: `http://localhost:${port}`, direct: true },
    { name: 'https, proxy refuses CONNECT', url: 'https://api.workato.invalid', connect: 'refuse' },
    { name: 'https, proxy closes the tunnel', url: 'https://api.workato.invalid', connect: 'close' },
    {
      name: 'https, proxy never answers',
      url: 'https://api.workato.invalid',
      connect: 'hang',
      flags: ['--timeout', '2'],
    },
    { name: 'https, host in NO_PROXY', url: 'https://api.workato.invalid', connect: 'refuse', noProxy: true },
    { name: 'plain http to another host', url: 'http://api.workato.invalid', connect: 'refuse' },
  ];
}

export async function runProxyRows({ scale = 1 }) {
  const row = makeRow(
    'proxy',
    'token to an HTTP proxy: `HTTP_PROXY=http://… WORKATO_API_URL=…` (loopback, https, plain http)',
    'the proxy never receives the token or an Authorization header; a loopback API is reached directly (plan exits 0, the proxy sees nothing); otherwise plan exits 1 with one line, after at most 6 CONNECTs per call',
  );
  const variables = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy'];
  const cases = [];
  for (const variable of variables) for (let t = 0; t < 7; t++) cases.push({ variable, t });
  await pool(cases.slice(0, Math.max(1, Math.round(28 * scale))), 4, async ({ variable, t }, i) => {
    const c = await openCase();
    const target = targets(c.emulator.url)[t];
    const proxy = await startRecordingProxy({ connect: target.connect ?? 'refuse' });
    try {
      const env = { [variable]: proxy.url, WORKATO_API_URL: target.url };
      if (target.noProxy) env.NO_PROXY = 'api.workato.invalid';
      const result = await c.run(['plan', ...FAST, ...(target.flags ?? [])], { env, timeoutMs: 60_000 });
      const id = `case ${i} (${variable}, ${target.name})`;
      const seen = proxy.seen.bytes.join('\n');
      if (seen.includes(API_TOKEN) || /authorization/i.test(seen))
        return row.record(id, 'the proxy received the token');
      if (proxy.seen.connects.length > MAX_ATTEMPTS * PLAN_CALLS) {
        return row.record(id, `${proxy.seen.connects.length} CONNECTs for a plan of ${PLAN_CALLS} calls`);
      }
      if (target.direct) {
        if (proxy.seen.requests.length + proxy.seen.connects.length > 0)
          return row.record(id, 'a loopback API was reached through the proxy');
        return row.record(id, result.code === 0 ? undefined : `plan: ${firstErrorLine(result)}`);
      }
      const bad = checkCleanFailure(result);
      row.record(id, bad ? `${bad}: ${firstErrorLine(result)}` : undefined);
    } finally {
      await proxy.close();
      await c.close();
    }
  });
  return [row];
}
