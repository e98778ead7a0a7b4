/**
 * Where `plan --out` may write. A plan file is written by replacing the file at its
 * path, so a slip of the argument (`--out workato-oauth.yaml`) would destroy the
 * config or the state: every file the tool owns is refused by name, and any other
 * existing file unless it already is a plan file of this tool. Checked before any
 * API call, so a refused path costs nothing.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { isRecord } from '../json.js';
import { explainWriteError } from '../state/atomic-write.js';
import { journalPath } from '../state/journal.js';
import { lockDir } from '../state/lock.js';

/** The files a plan file must never replace; paths absolute. */
export interface OwnedFiles {
  config: string;
  state: string;
}

/** The state's lock (a folder) and journal are named after it. */
export function stateCompanions(state: string): { lock: string; journal: string } {
  return { lock: lockDir(state), journal: journalPath(state) };
}

/** Throws a UsageError naming the problem when `out` (absolute; `shown` as the user typed it) may not be written. */
export async function checkPlanOut(out: string, shown: string, owned: OwnedFiles): Promise<void> {
  const { lock, journal } = stateCompanions(owned.state);
  const named: [string, string][] = [
    [owned.config, 'the config file'],
    [owned.state, 'the state file'],
    [lock, "the state file's lock"],
    [journal, "the state file's journal"],
  ];
  const hit = named.find(([path]) => path === out);
  if (hit) refuse(shown, `is ${hit[1]}; write the plan to a file of its own, e.g. --out plan.json`);

  let found: Awaited<ReturnType<typeof stat>> | undefined;
  try {
    found = await stat(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') refuse(shown, describe(error));
  }
  if (found === undefined) {
    await checkFolder(dirname(out), shown);
    return;
  }
  if (found.isDirectory()) refuse(shown, 'is a folder; give the path of a file, e.g. --out plan.json');
  if (!found.isFile()) refuse(shown, 'is not a regular file');
  if (!(await isPlanFile(out))) {
    refuse(
      shown,
      'exists and is not a workato-oauth plan file; refusing to overwrite it (remove it or choose another name)',
    );
  }
}

async function checkFolder(folder: string, shown: string): Promise<void> {
  try {
    if (!(await stat(folder)).isDirectory()) refuse(shown, `${folder} is not a folder`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    refuse(shown, code === 'ENOENT' ? `the folder ${folder} does not exist` : describe(error));
  }
}

/** A JSON object with `plan_file_version`: whatever the version, it is ours to replace. */
async function isPlanFile(path: string): Promise<boolean> {
  try {
    const data: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isRecord(data) && 'plan_file_version' in data;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'its folder does not exist';
  if (code === 'EISDIR') return 'is a folder';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder';
  const explained = explainWriteError(error);
  if (explained) return `${explained.reason}; ${explained.remedy}`;
  return code ? `cannot be written (${code})` : 'cannot be written';
}

function refuse(shown: string, why: string): never {
  throw new UsageError(`--out ${shown}: ${why}`);
}

/** The error for a write of the plan file that failed after the checks (a full disk, a race). */
export function planWriteError(shown: string, error: unknown): UsageError {
  return new UsageError(`cannot write the plan file ${shown}: ${describe(error)}`, { cause: error });
}
