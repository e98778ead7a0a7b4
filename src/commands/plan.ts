import { resolve } from 'node:path';
import { EXIT_CHANGES, EXIT_OK, RefusedError } from '../errors.js';
import type { Io } from '../io.js';
import { findRefusals, withRefusals } from '../plan/safety.js';
import type { Plan } from '../plan/types.js';
import { renderJson, toPlanJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderTextTo } from '../render/text.js';
import { defaultStatePath } from '../state/store.js';
import { type PrepareOptions, preparePlan } from '../workflow/plan.js';
import { makePlanFile, writePlanFile } from '../workflow/plan-file.js';
import { checkPlanOut, planWriteError } from '../workflow/plan-out.js';
import { recordVerifiedCustomers } from '../workflow/verified-customers.js';
import { appendStepSummary } from './github.js';

export type PlanFormat = 'text' | 'markdown' | 'json';

export interface PlanOptions extends PrepareOptions {
  format: PlanFormat;
  out?: string;
  detailedExitcode?: boolean;
  /** Plan even when none of the state's profiles exists live (recreate them). */
  force?: boolean;
}

/** Writes the plan to standard output; text in pieces as it is made (see renderTextTo). */
export function printPlan(plan: Plan, format: PlanFormat, io: Io): void {
  if (format === 'json') io.out(renderJson(plan));
  else if (format === 'markdown') io.out(renderMarkdown(plan));
  else renderTextTo(plan, { color: io.color }, (chunk) => io.out(chunk));
}

export async function runPlan(options: PlanOptions, io: Io): Promise<number> {
  const out = options.out === undefined ? undefined : resolve(io.cwd, options.out);
  if (out !== undefined) {
    const config = resolve(io.cwd, options.file);
    const state = options.state ? resolve(io.cwd, options.state) : defaultStatePath(config);
    await checkPlanOut(out, options.out!, { config, state });
  }
  const prepared = await preparePlan({ ...options, fingerprintChanged: out !== undefined }, io);
  try {
    // Before the plan file is made: it names the state as this leaves it.
    await recordVerifiedCustomers(prepared.state, prepared.live.customers, io, prepared.live.listing);
    const refusals = findRefusals(prepared.plan, prepared.state.state, {
      stage: 'plan',
      force: options.force === true,
    });
    const plan = withRefusals(prepared.plan, refusals);
    const refused = refusals.length > 0;
    // A refused plan writes no file. The file is written before the plan is shown, so that
    // a failed write is the one JSON document on stdout, not a second one after the plan.
    if (out !== undefined && !refused) {
      const planFile = makePlanFile(prepared, io.cwd, {
        force_unassign: options.forceUnassign === true,
        reassert: options.reassert === true,
      });
      await writePlanFile(out, planFile).catch((error: unknown) => {
        throw planWriteError(options.out!, error);
      });
    }
    // JSON: a refused plan is printed once, by the CLI, with the error added to it.
    if (!(refused && options.format === 'json')) printPlan(plan, options.format, io);
    await appendStepSummary(io, () => renderMarkdown(plan));

    const counts = prepared.client.counts().requests;
    if (!io.quiet && options.format === 'text') {
      io.err(
        `Planning read the workspace in ${counts.profiles + counts.embedded} API call(s) (profiles ${counts.profiles}, embedded ${counts.embedded}).\n`,
      );
    }
    if (refused) {
      throw new RefusedError(`the plan is refused:\n  ${refusals.map((r) => r.message).join('\n  ')}`, {
        document: { ...toPlanJson(plan) },
      });
    }
    if (out !== undefined && !io.quiet) {
      io.err(`Saved the plan to ${options.out}; run \`workato-oauth apply ${options.out}\` to apply it.\n`);
    }
    // A state-only edit is a change apply makes (to the state): exit 2, as Terraform does for output changes.
    const differs = plan.changes.length > 0 || plan.drift.length > 0 || plan.stateOnly.length > 0;
    return options.detailedExitcode && differs ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await prepared.client.close();
  }
}
