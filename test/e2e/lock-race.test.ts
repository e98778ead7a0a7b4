/**
 * Six processes taking over one lock at the same instant, left by a process that
 * is gone or gone stale: exactly one holds it at a time, every one of them gets
 * it in turn, and none dies with a raw error. Each child runs the built lock
 * (dist/state/lock.js), so the race is between real processes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { placeLockHolder } from '../state/lock-files.js';

const LOCK_MODULE = resolve('dist/state/lock.js');
const TAKERS = 6;

/**
 * Waits for the agreed instant, then takes the lock and holds it 150 ms. While
 * holding it, it owns a marker file made with O_EXCL: a second holder at the
 * same time fails to make it and says "overlap" (no clocks compared).
 */
const CHILD = `
import { appendFileSync, closeSync, openSync, unlinkSync } from 'node:fs';
const [lockModule, statePath, log, startAt] = process.argv.slice(1);
const { acquireStateLock } = await import(lockModule);
while (Date.now() < Number(startAt)) {}
try {
  const lock = await acquireStateLock(statePath, { timeoutSeconds: 30, onMessage: () => {} });
  const marker = statePath + '.held-by-one';
  try {
    closeSync(openSync(marker, 'wx'));
  } catch {
    console.error('overlap: pid ' + process.pid + ' holds the lock while another does');
    process.exit(1);
  }
  appendFileSync(log, 'held ' + process.pid + '\\n');
  await new Promise((r) => setTimeout(r, 150));
  unlinkSync(marker);
  await lock.release();
} catch (error) {
  console.error(error.message);
  process.exitCode = error.constructor.name === 'RefusedError' ? 3 : 1;
}
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-lock-race-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function race(statePath: string, log: string) {
  const startAt = Date.now() + 600;
  const children = Array.from({ length: TAKERS }, () => {
    const child = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      CHILD,
      LOCK_MODULE,
      statePath,
      log,
      String(startAt),
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    return once(child, 'exit').then(([code]) => ({ code: code as number, stderr }));
  });
  return Promise.all(children);
}

describe.each([
  [
    'left by a process that is gone',
    async (statePath: string) => {
      const dead = spawn(process.execPath, ['-e', '']);
      await once(dead, 'exit');
      await placeLockHolder(statePath, { host: hostname(), pid: dead.pid!, since: 'then' }, { gen: 3 });
    },
  ],
  [
    'gone stale (another host, not refreshed for a minute)',
    async (statePath: string) => {
      await placeLockHolder(
        statePath,
        { host: 'elsewhere', pid: 4242, since: 'then' },
        { gen: 3, refreshedAt: new Date(Date.now() - 60_000) },
      );
    },
  ],
])('six processes taking over a lock %s at the same instant', (_name, leave) => {
  it('hold it one at a time, each in turn, with no raw error', async () => {
    for (let round = 0; round < 3; round++) {
      const statePath = join(dir, `round-${round}.state.json`);
      const log = join(dir, `round-${round}.log`);
      await leave(statePath);
      const results = await race(statePath, log);
      expect(results.map((r) => r.stderr).join('')).toBe('');
      expect(results.map((r) => r.code)).toEqual(Array(TAKERS).fill(0));
      // Every one of them held it, once.
      const held = (await readFile(log, 'utf8')).trim().split('\n');
      expect(new Set(held).size).toBe(TAKERS);
    }
  }, 60_000);
});
