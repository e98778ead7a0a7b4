import { resolve } from 'node:path';
import { EXIT_CHANGES, EXIT_OK, RefusedError } from '../errors.js';
import type { Io } from '../io.js';
import { findRefusals, withRefusals } from '../plan/safety.js';
import type { Plan } from '../plan/types.js';
import { renderJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderText } from '../render/text.js';
import { type PrepareOptions, preparePlan } from '../workflow/plan.js';
import { makePlanFile, writePlanFile } from '../workflow/plan-file.js';
import { recordVerifiedCustomers } from '../workflow/verified-customers.js';

export type PlanFormat = 'text' | 'markdown' | 'json';

export interface PlanOptions extends PrepareOptions {
  format: PlanFormat;
  out?: string;
  detailedExitcode?: boolean;
  /** Plan even when none of the state's profiles exists live (recreate them). */
  force?: boolean;
}

export function renderPlan(plan: Plan, format: PlanFormat, io: Io): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, { color: io.color });
}

export async function runPlan(options: PlanOptions, io: Io): Promise<number> {
  const prepared = await preparePlan(options, io);
  try {
    // Before the plan file is made: it names the state as this leaves it.
    await recordVerifiedCustomers(prepared.state, prepared.live.customers, prepared.client.baseUrl, io);
    const refusals = findRefusals(prepared.plan, prepared.state.state, {
      stage: 'plan',
      force: options.force === true,
    });
    const plan = withRefusals(prepared.plan, refusals);
    io.out(renderPlan(plan, options.format, io));

    const counts = prepared.client.counts().requests;
    if (!io.quiet && options.format === 'text') {
      io.err(
        `Planning read the workspace in ${counts.profiles + counts.embedded} API call(s) (profiles ${counts.profiles}, embedded ${counts.embedded}).\n`,
      );
    }
    if (refusals.length > 0) {
      throw new RefusedError(`the plan is refused:\n  ${refusals.map((r) => r.message).join('\n  ')}`);
    }
    if (options.out) {
      const out = resolve(io.cwd, options.out);
      await writePlanFile(
        out,
        makePlanFile(prepared, io.cwd, {
          force_unassign: options.forceUnassign === true,
          reassert: options.reassert === true,
        }),
      );
      if (!io.quiet)
        io.err(`Saved the plan to ${options.out}; run \`workato-oauth apply ${options.out}\` to apply it.\n`);
    }
    const differs = plan.changes.length > 0 || plan.drift.length > 0;
    return options.detailedExitcode && differs ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await prepared.client.close();
  }
}
