/**
 * Rows for what the network and the API do: 429 storms, random 5xx / resets /
 * slow answers / lost create answers, and creates that reach the server after
 * the client gave up (a short --timeout, or a middlebox dropping the connection).
 */
import { writeFile } from 'node:fs/promises';
import { CONFIG_SMALL } from './configs.mjs';
import { startReverseProxy } from './fault-proxy.mjs';
import {
  caseSeed,
  checkCleanFailure,
  checkEnd,
  FAST,
  firstErrorLine,
  makeRow,
  openCase,
  pool,
  seeded,
  sleep,
} from './lib.mjs';

const APPLY = ['apply', '--auto-approve', '--quiet'];
const PROFILES = '/api/custom_oauth_profiles';

async function smallCase(options = {}) {
  const c = await openCase(options);
  await writeFile(c.configPath, CONFIG_SMALL);
  return c;
}

async function runStorms(seed, scale) {
  const row = makeRow(
    'storm',
    '429 storm 20 s, `Retry-After: 1` or absent',
    'the first apply, started as the storm begins, waits it out and exits 0; the next plan shows no changes and no profile exists twice',
  );
  const cases = Array.from({ length: Math.max(1, Math.round(8 * scale)) }, (_, i) => i);
  // Nearly all waiting: all at once.
  await pool(cases, 8, async (i) => {
    const s = caseSeed(seed, 'storm', i);
    const withHeader = i % 2 === 0;
    const c = await smallCase();
    try {
      c.emulator.setFaults(
        withHeader
          ? { script: Array.from({ length: 5000 }, () => ({ status: 429, retryAfter: 1 })) }
          : { errorRate: 1, errorStatus: 429, seed: s },
      );
      const running = c.start([...APPLY, ...FAST], { timeoutMs: 180_000 });
      await sleep(20_000);
      c.emulator.setFaults({});
      const result = await running.done;
      const id = `case ${i} seed ${s} (Retry-After ${withHeader ? '1' : 'absent'})`;
      if (result.code !== 0) return row.record(id, `first apply: ${firstErrorLine(result)}`);
      row.record(id, await checkEnd(c));
    } finally {
      await c.close();
    }
  });
  return row;
}

/** One seeded fault mix: what the emulator does, and the flags that go with it. */
function faultMix(r, s) {
  const kind = r.pick(['5xx', 'reset', 'slow', 'lost-create']);
  switch (kind) {
    case '5xx':
      return {
        kind,
        faults: { errorRate: 0.3, errorStatus: r.pick([500, 502, 503, 504]), seed: s },
        flags: [],
      };
    case 'reset':
      return { kind, faults: { resetRate: 0.3, seed: s }, flags: [] };
    case 'slow':
      // Some answers slower than --timeout 1: the server acts, the client has given up.
      return { kind, faults: { latencyMs: [0, 1800], seed: s }, flags: ['--timeout', '1'] };
    default:
      return { kind, faults: { errorRate: 0.3, errorStatus: 503, when: 'after', seed: s }, flags: [] };
  }
}

async function runFaultMixes(seed, scale) {
  const row = makeRow(
    'faults',
    '30% 5xx, connection resets, answers slower than `--timeout`, lost create answers',
    'the apply under faults exits 0, or 1 with one-line errors and no stack; one re-run without faults then converges (next plan: no changes), with no profile twice and no temp file left',
  );
  const cases = Array.from({ length: Math.max(1, Math.round(47 * scale)) }, (_, i) => i);
  await pool(cases, 4, async (i) => {
    const s = caseSeed(seed, 'faults', i);
    const mix = faultMix(seeded(s), s);
    const id = `case ${i} seed ${s} (${mix.kind})`;
    const c = await smallCase({ emulator: { faults: mix.faults } });
    try {
      // 300 s: an ambiguous create is looked for until 45 s after it was sent before it is
      // posted again (never a duplicate), and under 30% resets that can happen several
      // times in a row (6 attempts x 45 s is the worst case).
      const first = await c.run([...APPLY, ...FAST, ...mix.flags], { timeoutMs: 300_000 });
      c.emulator.setFaults({});
      if (first.code !== 0) {
        const bad = checkCleanFailure(first);
        if (bad) return row.record(id, `apply under faults: ${bad}: ${firstErrorLine(first)}`);
        const again = await c.runHere([...APPLY, ...FAST]);
        if (again.code !== 0) return row.record(id, `re-run: ${firstErrorLine(again)}`);
      }
      row.record(id, await checkEnd(c));
    } finally {
      await c.close();
    }
  });
  return row;
}

async function runLateCreates(seed, scale) {
  const row = makeRow(
    'late',
    'create that reaches Workato after the client gave up (`--timeout 2`, server acting 4–15 s late; a middlebox dropping the connection after 1 s, server acting at 3 s)',
    'apply exits 0 with each profile created once (no name twice in the emulator), and the next plan shows no changes',
  );
  const setups = [
    ...[4, 6, 9, 12, 15].map((late) => ({ late, middlebox: false })),
    { late: 3, middlebox: true },
    { late: 3, middlebox: true, second: true },
  ].slice(0, Math.max(1, Math.round(7 * scale)));
  await pool(setups, 4, async (setup, i) => {
    const s = caseSeed(seed, 'late', i);
    // Which create arrives late: the first, or the second (a later profile).
    const skip = setup.second ? [{ method: 'POST', path: PROFILES }] : [];
    const c = await smallCase({
      emulator: {
        faults: { script: [...skip, { method: 'POST', path: PROFILES, delayMs: setup.late * 1000 }] },
      },
    });
    let proxy;
    try {
      const flags = [...FAST];
      if (setup.middlebox) {
        let posts = 0;
        proxy = await startReverseProxy(c.emulator.url, {
          drop: (method, path) => {
            if (method !== 'POST' || !path.startsWith(PROFILES)) return undefined;
            posts += 1;
            return posts === (setup.second ? 2 : 1) ? 1000 : undefined;
          },
        });
        flags.push('--api-url', proxy.url);
      } else {
        flags.push('--timeout', '2');
      }
      const id = `case ${i} seed ${s} (${setup.middlebox ? 'middlebox drop at 1 s' : '--timeout 2'}, server acts at ${setup.late} s)`;
      const result = await c.run([...APPLY, ...flags], { timeoutMs: 120_000 });
      if (result.code !== 0) return row.record(id, `apply: ${firstErrorLine(result)}`);
      // The late create has landed by now (at most 15 s): anything twice is a duplicate.
      // Checked through the same URL: the state names the workspace by the URL apply used.
      row.record(id, await checkEnd(c, setup.middlebox ? ['--api-url', proxy.url] : []));
    } finally {
      await proxy?.close();
      await c.close();
    }
  });
  return row;
}

export async function runFaultRows({ seed, scale = 1 }) {
  // One after the other: side by side, 19 CLIs on 2 cores time out at --timeout 1 or 2 for want of CPU alone.
  const storm = await runStorms(seed, scale);
  const faults = await runFaultMixes(seed, scale);
  const late = await runLateCreates(seed, scale);
  return [storm, faults, late];
}
