import { describe, expect, it } from 'vitest';
import { runEmulator } from '../../src/commands/emulator.js';
import { memoryIo } from '../memory-io.js';

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('timed out');
}

async function runUntilListening(token: string | undefined, env: Record<string, string>) {
  const io = memoryIo({ env, quiet: false });
  const stop = new AbortController();
  const options = { port: 0, host: '127.0.0.1', rateLimit: 60, ...(token === undefined ? {} : { token }) };
  const done = runEmulator(options, io, stop.signal);
  await waitFor(() => io.stdout.includes('listening on'));
  const url = /listening on (http:\/\/\S+)/.exec(io.stdout)?.[1] ?? '';
  return { io, stop, done, url };
}

const status = async (url: string, token: string) =>
  (await fetch(`${url}/api/custom_oauth_profiles`, { headers: { authorization: `Bearer ${token}` } })).status;

describe('workato-oauth emulator', () => {
  it('prints its URL and how to use it, never the token, and stops cleanly with 0', async () => {
    const { io, stop, done, url } = await runUntilListening('s3cret-token', {});
    expect(io.stdout).toMatch(
      /^Workato emulator listening on http:\/\/127\.0\.0\.1:\d+ \(data: in memory; rate limit 60\/min per bucket\)\n/,
    );
    expect(io.stdout).toContain(
      `WORKATO_API_URL=${url} WORKATO_API_TOKEN=<the emulator's token> (token: from --token)`,
    );
    expect(await status(url, 's3cret-token')).toBe(200);
    stop.abort();
    expect(await done).toBe(0);
    expect(io.stdout + io.stderr).not.toContain('s3cret-token');
    await expect(fetch(url)).rejects.toThrow();
  });

  it('takes the token from --token, then WORKATO_EMULATOR_TOKEN, then the default', async () => {
    const env = { WORKATO_EMULATOR_TOKEN: 'from-env' };
    const cases: Array<[string | undefined, Record<string, string>, string, string]> = [
      ['from-flag', env, 'from-flag', 'from --token'],
      [undefined, env, 'from-env', 'from WORKATO_EMULATOR_TOKEN'],
      [undefined, {}, 'emulator-token', 'the default'],
    ];
    for (const [flag, environment, expected, source] of cases) {
      const { io, stop, done, url } = await runUntilListening(flag, environment);
      expect(io.stdout).toContain(`(token: ${source})`);
      expect(await status(url, expected)).toBe(200);
      expect(await status(url, 'something-else')).toBe(401);
      stop.abort();
      await done;
      // The default token is public (a local test token): printed ready to paste; a chosen one never.
      if (expected === 'emulator-token') expect(io.stdout).toContain('WORKATO_API_TOKEN=emulator-token ');
      else expect(io.stdout).not.toContain(expected);
    }
  });

  it('says that a port is in use, and how to pick another', async () => {
    const first = await runUntilListening(undefined, {});
    const port = Number(new URL(first.url).port);
    const io = memoryIo({ env: {}, quiet: true });
    await expect(runEmulator({ port, host: '127.0.0.1', rateLimit: 60 }, io)).rejects.toThrow(
      `emulator cannot listen on 127.0.0.1:${port}: the port is in use (choose another with --port, or --port 0 for a free one)`,
    );
    first.stop.abort();
    await first.done;
  });

  it('says in words that the --data folder does not exist, without a temp file name', async () => {
    const io = memoryIo({ env: {}, quiet: true });
    const options = { port: 0, host: '127.0.0.1', rateLimit: 60, data: '/nonexistent/dir/w.json' };
    await expect(runEmulator(options, io)).rejects.toThrow(
      /^emulator data file \/nonexistent\/dir\/w\.json cannot be written: its folder does not exist$/,
    );
    expect(io.stdout).toBe('');
  });
});
