/**
 * A full disk or a permission error, made with a node:fs/promises that fails on
 * demand: each is one line naming the file and what to do, the file on disk is
 * the one before, no temp file is left, and the lock is given back.
 */
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StateError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/state/atomic-write.js';
import { acquireStateLock } from '../../src/state/lock.js';
import { emptyState, writeState } from '../../src/state/store.js';

const failures = vi.hoisted(() => ({
  /** Error code the next write of a temp file's content fails with, after writing part of it. */
  tempWrite: undefined as string | undefined,
  /** Error code writeFile fails with for a path ending so. */
  writeFile: undefined as { suffix: string; code: string } | undefined,
  /** Error code rm fails with. */
  rm: undefined as string | undefined,
  /** Error code opening a folder (to fsync it) fails with. */
  openFolder: undefined as string | undefined,
  foldersSynced: [] as string[],
}));

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, ${syscall}`), { code, syscall });
}

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const [path, flags] = args;
      if (flags === 'r' && (await actual.stat(path)).isDirectory()) {
        if (failures.openFolder) throw errno(failures.openFolder, 'open');
        failures.foldersSynced.push(String(path));
      }
      const handle = await actual.open(...args);
      const code = failures.tempWrite;
      if (code && String(path).endsWith('.tmp')) {
        handle.writeFile = async (data) => {
          await handle.write(String(data).slice(0, 10));
          throw errno(code, 'write');
        };
      }
      return handle;
    },
    writeFile: async (...args: Parameters<typeof actual.writeFile>) => {
      const failure = failures.writeFile;
      if (failure && String(args[0]).endsWith(failure.suffix)) {
        await actual.writeFile(args[0], ''); // a full disk leaves the file made, and empty
        throw errno(failure.code, 'write');
      }
      return actual.writeFile(...args);
    },
    rm: async (...args: Parameters<typeof actual.rm>) => {
      if (failures.rm) throw errno(failures.rm, 'rm');
      return actual.rm(...args);
    },
  };
});

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'wo-write-fail-'));
});
afterEach(async () => {
  Object.assign(failures, {
    tempWrite: undefined,
    writeFile: undefined,
    rm: undefined,
    openFolder: undefined,
  });
  failures.foldersSynced.length = 0;
  await fs.rm(dir, { recursive: true, force: true });
});

describe('a state write that fails', () => {
  it.each([
    ['ENOSPC', 'no space left on the device; it still holds the state before this write): free some space'],
    [
      'EACCES',
      'permission denied; it still holds the state before this write): make the file and its folder writable',
    ],
  ])(
    '%s is one line naming the file and what to do; the file is as before, with no temp file',
    async (code, says) => {
      const path = join(dir, 'staging.state.json');
      const written = await writeState(path, emptyState('https://www.workato.com'), null);
      const before = await fs.readFile(path, 'utf8');

      failures.tempWrite = code;
      const error = await writeState(path, written, written).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(StateError);
      expect((error as Error).message).toBe(`state file ${path} was not updated (${says} and run again`);
      expect((error as Error).message).not.toContain('\n');
      expect(await fs.readFile(path, 'utf8')).toBe(before);
      expect(await fs.readdir(dir)).toEqual(['staging.state.json']);
    },
  );

  it('under the state lock, leaves the lock free for the next run', async () => {
    const path = join(dir, 'staging.state.json');
    const lock = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} });
    failures.tempWrite = 'ENOSPC';
    try {
      await expect(writeState(path, emptyState('https://www.workato.com'), null)).rejects.toThrow(StateError);
    } finally {
      await lock.release();
    }
    expect(existsSync(`${path}.lock`)).toBe(false);
    const next = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} });
    await next.release();
  });
});

describe('the state lock on a full disk', () => {
  it('is one line, and leaves no lock behind for the next run to wait on', async () => {
    const path = join(dir, 'staging.state.json');
    failures.writeFile = { suffix: '.tmp', code: 'ENOSPC' };
    const error = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toBe(
      `cannot lock state file ${path} (at ${path}.lock): no space left on the device; free some space`,
    );
    expect(existsSync(`${path}.lock`)).toBe(false);

    failures.writeFile = undefined;
    const next = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} });
    await next.release();
  });

  it('release never throws: it runs where it would hide the error that got there', async () => {
    const path = join(dir, 'staging.state.json');
    const lock = await acquireStateLock(path, { timeoutSeconds: 0, onMessage: () => {} });
    failures.rm = 'EACCES';
    await expect(lock.release()).resolves.toBeUndefined();
  });
});

describe('the folder after a rename', () => {
  it('is fsynced', async () => {
    await writeFileAtomic(join(dir, 'a.json'), '{}\n');
    expect(failures.foldersSynced).toEqual([dir]);
  });

  it.each(['EISDIR', 'EPERM'])('%s on opening it (Windows) is ignored: the write stands', async (code) => {
    failures.openFolder = code;
    await writeFileAtomic(join(dir, 'a.json'), '{}\n');
    expect(await fs.readFile(join(dir, 'a.json'), 'utf8')).toBe('{}\n');
  });
});
