/** `workato-oauth apply`: options in, the apply sequence (src/apply/run.ts), the plan and the report out. */
import { type ApplyOptions, applyPlan } from '../apply/run.js';
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, RefusedError, StateError } from '../errors.js';
import type { Io } from '../io.js';
import { renderApplyJson, renderApplyMarkdown, renderApplyText } from '../render/apply-report.js';
import { toPlanJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderTextTo } from '../render/text.js';
import { checkPlanFileUse } from '../workflow/plan-file-use.js';
import { appendStepSummary } from './github.js';

export interface ApplyCommandOptions extends ApplyOptions {
  /** text: the plan, progress and a report for people; json: one report object at the end. */
  format?: 'text' | 'json';
}

export async function runApply(options: ApplyCommandOptions, io: Io): Promise<number> {
  const json = options.format === 'json';
  if (options.planfile !== undefined) {
    await checkPlanFileUse(
      { planfile: options.planfile, fileGiven: options.fileGiven === true, state: options.state },
      io.cwd,
    );
  }
  const result = await applyPlan(options, io, {
    showPlan: (plan) => {
      if (!json) renderTextTo(plan, { color: io.color }, (chunk) => io.out(chunk));
    },
  });
  if (result.kind === 'refused') {
    // The summary shows why: the plan's markdown ends with the refusals.
    await appendStepSummary(io, () => renderMarkdown(result.plan));
    const reasons = result.plan.refusals.map((r) => r.message);
    // JSON: the refused plan is printed once, by the CLI, with the error added to it.
    throw new RefusedError(`apply refused:\n  ${reasons.join('\n  ')}`, {
      ...(json ? { document: { ...toPlanJson(result.plan) } } : {}),
    });
  }
  if (result.kind === 'cancelled') {
    io.err('Apply cancelled.\n');
    return EXIT_ERROR;
  }
  await appendStepSummary(io, () => renderApplyMarkdown(result));
  if (result.outcomes.length === 0 && !json) {
    const recorded = result.plan.stateOnly.length;
    if (recorded > 0) {
      io.out(
        `Apply complete: ${recorded} state-only change${recorded === 1 ? '' : 's'} recorded in the state file, no API call.\n`,
      );
    }
    return EXIT_OK;
  }
  io.out(json ? renderApplyJson(result) : renderApplyText(result));
  if (result.lockLost) {
    // The state then belongs to the apply that took the lock: a refused save is expected.
    const unsaved = result.saveError
      ? '; what it did since was not saved to the state, which the other apply now writes'
      : '';
    throw new StateError(
      `${result.lockLost}; this apply stopped sending (the report above says what was done)${unsaved}. Run plan to see where things stand`,
    );
  }
  if (result.saveError) throw new StateError(result.saveError);
  if (result.interrupted) return EXIT_INTERRUPTED;
  return result.outcomes.some((o) => o.status === 'failed') ? EXIT_ERROR : EXIT_OK;
}
