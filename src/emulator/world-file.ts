/**
 * The data file (`--data FILE`): load once at start, save after every change.
 * Saves go through writeFileAtomic, so another process (a second CLI run, a
 * test) reading the file sees the old world or the new one, never half of one.
 */
import { readFile } from 'node:fs/promises';
import { WorkatoOauthError } from '../errors.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import { type NormalizedWorldData, parseWorldData, WorldDataError } from './world-data.js';

/** The validated world in `path`, or undefined when the file does not exist. */
export async function loadWorldFile(path: string): Promise<NormalizedWorldData | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WorkatoOauthError(`emulator data file ${path} cannot be read: ${describeFileError(error)}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // Only the words before V8 starts quoting the file, which holds client secrets.
    const reason = ((error as Error).message.split(/, "|\n| in JSON/)[0] ?? '').trim();
    throw new WorldDataError(path, [`not valid JSON: ${reason}`], { cause: error });
  }
  return parseWorldData(json, path);
}

/** Stable, diff-friendly text: two-space JSON, sorted by id (toData's order), final newline. */
export function serializeWorld(data: NormalizedWorldData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Mode 0600: the file holds client secrets. */
export async function saveWorldFile(path: string, data: NormalizedWorldData): Promise<void> {
  try {
    await writeFileAtomic(path, serializeWorld(data), { mode: 0o600 });
  } catch (error) {
    throw new WorkatoOauthError(`emulator data file ${path} cannot be written: ${describeFileError(error)}`, {
      cause: error,
    });
  }
}

/** A file system error in words, without the temp file names Node puts in its messages. */
function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'its folder does not exist';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EROFS') return 'the file system is read-only';
  return code ?? (error instanceof Error ? error.message : String(error));
}
