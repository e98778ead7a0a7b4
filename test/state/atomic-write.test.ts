import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive, writeFileAtomic } from '../../src/state/atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('writeFileAtomic', () => {
  it('replaces the file and leaves nothing else behind', async () => {
    const path = join(dir, 'a.state.json');
    await writeFileAtomic(path, 'one\n');
    await writeFileAtomic(path, 'two\n');
    expect(await readFile(path, 'utf8')).toBe('two\n');
    expect(await readdir(dir)).toEqual(['a.state.json']);
  });

  it("removes the temp files of the same file left by a dead pid, and keeps a live pid's", async () => {
    const dead = await deadPid();
    expect(isProcessAlive(dead)).toBe(false);
    const live = process.ppid;
    expect(isProcessAlive(live)).toBe(true);
    const leftovers = {
      dead: `.a.state.json.${dead}.0badf00d.tmp`,
      live: `.a.state.json.${live}.1234abcd.tmp`,
      mine: `.a.state.json.${process.pid}.deadbeef.tmp`,
      // Not ours to judge: another file's temp file, and names that only look alike.
      otherFile: `.b.state.json.${dead}.0badf00d.tmp`,
      notHex: `.a.state.json.${dead}.nothex!!.tmp`,
      notTemp: `.a.state.json.${dead}.0badf00d.tmp.keep`,
    };
    for (const name of Object.values(leftovers)) await writeFile(join(dir, name), 'partial');

    await writeFileAtomic(join(dir, 'a.state.json'), '{}\n');

    expect((await readdir(dir)).sort()).toEqual(
      [
        'a.state.json',
        ...Object.entries(leftovers)
          .filter(([k]) => k !== 'dead')
          .map(([, v]) => v),
      ].sort(),
    );
  });
});
