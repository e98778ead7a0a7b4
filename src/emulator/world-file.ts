/**
 * The data file (`--data FILE`): load once at start, save after every change.
 * Saves go through writeFileAtomic, so another process (a second CLI run, a
 * test) reading the file sees the old world or the new one, never half of one.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../state/atomic-write.js';
import { type NormalizedWorldData, parseWorldData, WorldDataError } from './world-data.js';

/** The validated world in `path`, or undefined when the file does not exist. */
export async function loadWorldFile(path: string): Promise<NormalizedWorldData | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WorldDataError(path, [`cannot be read: ${(error as Error).message}`], { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WorldDataError(path, [`not valid JSON: ${(error as Error).message}`], { cause: error });
  }
  return parseWorldData(json, path);
}

/** Stable, diff-friendly text: two-space JSON, sorted by id (toData's order), final newline. */
export function serializeWorld(data: NormalizedWorldData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Mode 0600: the file holds client secrets. */
export async function saveWorldFile(path: string, data: NormalizedWorldData): Promise<void> {
  await writeFileAtomic(path, serializeWorld(data), { mode: 0o600 });
}
