/**
 * What `apply PLANFILE` checks before anything else: that no -f or --state
 * competes with the plan file's own paths (the same plan applied to another state
 * would be a different plan), and that those paths, relative to the folder plan
 * ran in, lead somewhere from the folder apply runs in.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { type PlanFile, readPlanFile } from './plan-file.js';

export interface PlanFileUse {
  planfile: string;
  /** -f given on the command line. */
  fileGiven: boolean;
  state?: string | undefined;
}

export async function checkPlanFileUse(use: PlanFileUse, cwd: string): Promise<PlanFile> {
  const flags = [...(use.fileGiven ? ['-f'] : []), ...(use.state ? ['--state'] : [])];
  if (flags.length > 0) {
    throw new UsageError(
      `${flags.join(' and ')} cannot be given with a plan file: ${use.planfile} names its own config and state; to use others, plan again with them (plan ${flags.join(' ')} ... --out FILE)`,
    );
  }
  const planFile = await readPlanFile(resolve(cwd, use.planfile));
  const where = planFile.planned_in
    ? `the folder plan ran in (${planFile.planned_in})`
    : 'the folder plan ran in';
  const missing = (kind: string, path: string) =>
    new UsageError(
      `the ${kind} ${path} named by the plan file ${use.planfile} is not in ${cwd}: the plan file's paths are relative to ${where}; run apply from that folder, or from the same folder of another checkout`,
    );
  if (!existsSync(resolve(cwd, planFile.config.path))) throw missing('config', planFile.config.path);
  // No state when the plan was made: none is expected now (apply says so if one appeared).
  // A remote state (location) is reached from anywhere; apply checks it has not moved.
  if (
    planFile.state.path !== undefined &&
    planFile.state.lineage !== null &&
    !existsSync(resolve(cwd, planFile.state.path))
  ) {
    throw missing('state file', planFile.state.path);
  }
  return planFile;
}
