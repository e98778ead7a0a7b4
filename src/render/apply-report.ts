/**
 * What an apply did, for people (text) and for machines (json). Pure: the command
 * gathers the outcomes and counts, these only format them.
 */

import type { RequestCounts } from '../api/types.js';
import { maxOf } from '../arrays.js';
import type { Outcome, Plan } from '../plan/types.js';
import { escapeMarkdownText } from './escape.js';
import { toPlanJson } from './json.js';

export interface ApplyReport {
  plan: Plan;
  outcomes: readonly Outcome[];
  interrupted: boolean;
  counts: RequestCounts;
  seconds: number;
}

export const APPLY_FORMAT_VERSION = '1';

function tally(outcomes: readonly Outcome[]): Record<Outcome['status'], number> {
  const counts = { done: 0, failed: 0, skipped: 0 };
  for (const outcome of outcomes) counts[outcome.status] += 1;
  return counts;
}

function verdictOf(report: ApplyReport): 'complete' | 'failed' | 'interrupted' {
  if (report.interrupted) return 'interrupted';
  return report.outcomes.some((o) => o.status === 'failed') ? 'failed' : 'complete';
}

/** A note on a change that was done, e.g. that its customer no longer exists in Workato. */
function noteOf(outcome: Outcome): string | undefined {
  return outcome.status === 'done' ? outcome.note : undefined;
}

/**
 * The end of an apply: the verdict, each change that was not done with its reason and
 * each change done with a note (in apply's order), the calls made.
 */
export function renderApplyText(report: ApplyReport): string {
  const counts = tally(report.outcomes);
  const verdict = {
    complete: 'Apply complete',
    failed: 'Apply finished with failures',
    interrupted: 'Apply interrupted',
  }[verdictOf(report)];
  const lines = [`\n${verdict}: ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped.`];
  const listed = report.outcomes.flatMap((o): { label: string; outcome: Outcome; text: string }[] => {
    if (o.status !== 'done') return [{ label: o.status, outcome: o, text: o.reason }];
    const note = noteOf(o);
    return note === undefined ? [] : [{ label: 'note', outcome: o, text: note }];
  });
  const width = maxOf(
    listed.map(({ outcome }) => outcome.change.address.length),
    0,
  );
  for (const { label, outcome, text } of listed) {
    lines.push(
      `  ${label.padEnd(7)}  ${outcome.change.address.padEnd(width)}  ${outcome.change.action}: ${text}`,
    );
  }
  const { requests, retries } = report.counts;
  lines.push(
    `API calls: ${requests.profiles + requests.embedded} (profiles ${requests.profiles}, embedded ${requests.embedded}; ${retries.profiles + retries.embedded} retries) in ${report.seconds.toFixed(1)} s.`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * `apply --format json`: the plan (as `plan --format json` shows it, with its `refusals`
 * and `drift`) and what became of each change.
 */
export function renderApplyJson(report: ApplyReport): string {
  return `${JSON.stringify(
    {
      format_version: APPLY_FORMAT_VERSION,
      result: report.outcomes.length === 0 ? 'no-changes' : verdictOf(report),
      summary: tally(report.outcomes),
      outcomes: report.outcomes.map((o) => ({
        address: o.change.address,
        action: o.change.action,
        status: o.status,
        reason: o.status === 'done' ? null : o.reason,
        note: noteOf(o) ?? null,
      })),
      api_calls: { requests: report.counts.requests, retries: report.counts.retries },
      seconds: Math.round(report.seconds * 10) / 10,
      plan: JSON.parse(JSON.stringify(toPlanJson(report.plan))),
    },
    null,
    2,
  )}\n`;
}

const MAX_MARKDOWN_LISTED = 50;

/**
 * The apply report for a GitHub step summary: the verdict, the counts, and each change
 * that failed or was skipped with its reason (the first 50; the log has them all).
 */
export function renderApplyMarkdown(report: ApplyReport): string {
  const counts = tally(report.outcomes);
  const verdict =
    report.outcomes.length === 0
      ? 'No changes applied'
      : {
          complete: 'Apply complete',
          failed: 'Apply finished with failures',
          interrupted: 'Apply interrupted',
        }[verdictOf(report)];
  const lines = [
    '### workato-oauth apply',
    '',
    `**${verdict}:** ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped.`,
  ];
  const notDone = report.outcomes.flatMap((o) => (o.status === 'done' ? [] : [o]));
  if (notDone.length > 0) {
    lines.push('', '| status | address | action | reason |', '| --- | --- | --- | --- |');
    for (const o of notDone.slice(0, MAX_MARKDOWN_LISTED)) {
      const cells = [o.status, o.change.address, o.change.action, o.reason].map(escapeMarkdownText);
      lines.push(`| ${cells.join(' | ')} |`);
    }
    if (notDone.length > MAX_MARKDOWN_LISTED) {
      lines.push('', `… ${notDone.length - MAX_MARKDOWN_LISTED} more not shown; the job log lists them all.`);
    }
  }
  const { requests } = report.counts;
  lines.push('', `API calls: ${requests.profiles + requests.embedded} in ${report.seconds.toFixed(1)} s.`);
  return `${lines.join('\n')}\n`;
}
