/** A lock as another process leaves it: `<state>.lock/<gen>` naming its holder (see src/state/lock.ts). */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FakeHolder {
  host: string;
  pid: number;
  since: string;
}

export async function placeLockHolder(
  statePath: string,
  holder: FakeHolder,
  options: { gen?: number; refreshedAt?: Date } = {},
): Promise<string> {
  const dir = `${statePath}.lock`;
  await mkdir(dir, { recursive: true });
  const file = join(dir, String(options.gen ?? 1));
  await writeFile(file, JSON.stringify({ ...holder, token: `fake-${holder.pid}` }));
  if (options.refreshedAt) await utimes(file, options.refreshedAt, options.refreshedAt);
  return file;
}
