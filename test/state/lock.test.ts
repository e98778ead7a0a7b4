import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/errors.js';
import { acquireStateLock } from '../../src/state/lock.js';

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
    await mkdir(`${path}.lock`);
    await writeFile(
      join(`${path}.lock`, 'holder.json'),
      JSON.stringify({ host: hostname(), pid, since: 'then' }),
    );
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
