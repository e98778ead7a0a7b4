import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** `.<name>.<pid>.<8 hex>.tmp`: the temp file of one write of `<name>` by process `<pid>`. */
const TEMP_SUFFIX = /^(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Targets whose leftovers this process has already swept. */
const swept = new Set<string>();

/**
 * Writes `data` to `path` so that a reader (or a crash) sees either the old file
 * or the new one, never a torn one: write a temp file beside it, fsync, rename,
 * fsync the folder (so the rename itself survives a power cut).
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  options: { mode?: number } = {},
): Promise<void> {
  const folder = dirname(path);
  if (!swept.has(path)) await removeStaleTempFiles(path);
  const tmp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w', options.mode ?? 0o600);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    // A full disk fails the write: the partial temp file would only take more space.
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await syncFolder(folder);
}

/**
 * Removes the temp files of `path` left by a process killed between open and
 * rename. The state lock calls this once taken, at the start of apply and state
 * rm: from then on this process is the file's one writer, and a run that ends up
 * writing nothing still tidies. Any other file is swept at a process's first
 * write of it. Not at every start: plan and state list leave the folder as they
 * found it. A temp file whose pid is alive (another process, or this one) is
 * never touched.
 */
export async function removeStaleTempFiles(path: string): Promise<void> {
  swept.add(path);
  const folder = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return; // the write itself will say what is wrong with the folder
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(TEMP_SUFFIX.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
    await unlink(join(folder, name)).catch(() => {});
  }
}

/** Whether a process with that pid exists on this host (EPERM: it does, under another user). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * fsync of the folder makes the rename durable. Some platforms cannot open or
 * fsync a folder (Windows: EISDIR or EPERM, as Node documents; some file systems:
 * EINVAL or ENOTSUP): the rename is then as durable as they make it.
 */
export async function syncFolder(folder: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Why a file could not be written and what to do, for the errors a user can act
 * on (a full disk, permissions); undefined for the others.
 */
export function explainWriteError(error: unknown): { reason: string; remedy: string } | undefined {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { reason: 'no space left on the device', remedy: 'free some space' };
    case 'EACCES':
    case 'EPERM':
      return { reason: 'permission denied', remedy: 'make the file and its folder writable' };
    case 'EROFS':
      return {
        reason: 'the file system is read-only',
        remedy: 'mount it read-write or pass --state with another file',
      };
    default:
      return undefined;
  }
}
