import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/errors.js';
import { acquireStateLock } from '../../src/state/lock.js';
import { placeLockHolder } from './lock-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state lock', () => {
  it('refuses a second holder after the timeout, naming the first', async () => {
    const path = join(dir, 'state.json');
    const first = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} });
    const messages: string[] = [];
    const second = acquireStateLock(path, { timeoutSeconds: 0.3, onMessage: (m) => messages.push(m) });
    await expect(second).rejects.toThrow(RefusedError);
    await expect(second).rejects.toThrow(new RegExp(`locked by pid ${process.pid} on ${hostname()}`));
    expect(messages[0]).toMatch(/^Waiting for the state lock held by pid/);
    await first.release();
    const third = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} });
    await third.release();
  });

  it('waits for the holder to release, within the timeout', async () => {
    const path = join(dir, 'state.json');
    const first = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} });
    setTimeout(() => void first.release(), 300);
    const second = await acquireStateLock(path, { timeoutSeconds: 5, onMessage: () => {} });
    await second.release();
  });

  it('takes over a lock left by a process that is gone, and says so', async () => {
    const path = join(dir, 'state.json');
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = dead.pid!;
    await new Promise((resolve) => dead.on('exit', resolve));
    await placeLockHolder(path, { host: hostname(), pid, since: 'then' });
    const messages: string[] = [];
    const lock = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: (m) => messages.push(m) });
    expect(messages).toEqual([
      `Taking over the state lock left by a process that is gone (pid ${pid} on ${hostname()}, since then).`,
    ]);
    await lock.release();
  });

  it("once taken, removes the state's temp files left by a dead pid, not a live pid's", async () => {
    const path = join(dir, 'staging.state.json');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    const left = `.staging.state.json.${dead.pid}.0badf00d.tmp`;
    const live = `.staging.state.json.${process.ppid}.1234abcd.tmp`;
    await writeFile(join(dir, left), '{"vers');
    await writeFile(join(dir, live), '{"vers');
    const lock = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} });
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([live]);
    await lock.release();
  });
});

describe('a holder whose lock was taken over', () => {
  it('finds out at its next refresh: its signal aborts, naming the taker', async () => {
    const path = join(dir, 'state.json');
    const first = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {}, refreshMs: 50 });
    // As if the first holder had been paused past the stale period: its file not refreshed for a minute.
    const [file] = (await readdir(`${path}.lock`)).filter((name) => /^\d+$/.test(name));
    const then = new Date(Date.now() - 60_000);
    await utimes(join(`${path}.lock`, file!), then, then);
    const messages: string[] = [];
    const second = await acquireStateLock(path, {
      timeoutSeconds: 0,
      onMessage: (m) => messages.push(m),
      now: () => new Date('2026-12-02T10:00:00.000Z'),
    });
    expect(messages[0]).toMatch(/^Taking over a stale state lock, not refreshed for 10 s \(pid \d+/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(first.signal.aborted).toBe(true);
    expect((first.signal.reason as Error).message).toBe(
      `the state lock was taken over by pid ${process.pid} on ${hostname()}, since 2026-12-02T10:00:00.000Z while this process held it (paused or stalled past 10 s without a refresh)`,
    );
    expect(second.signal.aborted).toBe(false);
    // The first one's release must not remove the second one's lock.
    await first.release();
    const third = acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} });
    await expect(third).rejects.toThrow(RefusedError);
    await second.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('keeps a lock it refreshes: no takeover while its holder is alive and refreshing', async () => {
    const path = join(dir, 'state.json');
    const first = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {}, refreshMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} })).rejects.toThrow(
      RefusedError,
    );
    expect(first.signal.aborted).toBe(false);
    await first.release();
  });
});
