/**
 * The plan as a pull-request comment: totals first, then the changes grouped by
 * profile (the profile's own change, then its assignments), long groups collapsed,
 * and every reason apply is refused last. Every user value is escaped, and the
 * comment is kept under GitHub's size limit by cutting whole groups at the end (only
 * a first group too long on its own is cut inside; the refusals are never cut), so
 * what is shown is always valid markdown.
 */
import { countCalls } from '../plan/cost.js';
import type { DriftFinding, Plan, Refusal, UnmanagedProfile, Warning } from '../plan/types.js';
import { formatApiCalls } from './cost.js';
import { escapeMarkdownText, markdownCode, truncate } from './escape.js';
import {
  countOwnChanges,
  countOwnEntries,
  findLongestHead,
  groupByProfile,
  MAX_VALUE_CHARS,
  MAX_WARNING_CHARS,
  renderGroup,
  text,
} from './markdown-groups.js';
import { formatCount, pluralize } from './numbers.js';
import { describeNoChanges, refusalAddress } from './phrases.js';
import { describeListing, groupByRule, renderRuleGroupsMarkdown } from './rule-groups.js';
import { renderStateOnlyMarkdown } from './state-only.js';
import { formatSummary, listUnsetVariables, type PlanSummary, summarizePlan } from './summary.js';

export interface MarkdownOptions {
  /** Upper bound on the comment's length in UTF-16 code units. GitHub refuses comments over 65,536. */
  maxChars?: number;
}

export const DEFAULT_MARKDOWN_MAX_CHARS = 65_000;

/** Room kept for the note that says what was cut; the note is far shorter. */
const CUT_NOTE_RESERVE = 300;
/**
 * Warnings, drift findings, refusals and unmanaged profiles are shown up to these
 * counts, so they cannot crowd out the changes.
 */
const MAX_WARNINGS_SHOWN = 25;
const MAX_DRIFT_SHOWN = 25;
const MAX_REFUSALS_SHOWN = 25;
const MAX_UNMANAGED_SHOWN = 50;

const SUMMARY_ROWS: readonly (keyof PlanSummary)[] = [
  'create',
  'adopt',
  'update',
  'replace',
  'delete',
  'assign',
  'unassign',
  'swap',
];

/** Refusals are listed last; the head says there are some, so nobody merges without reading to the end. */
function describeRefusalPointer(plan: Plan): string | undefined {
  if (plan.refusals.length === 0) return undefined;
  return `**Apply is refused:** ${pluralize(plan.refusals.length, 'reason')}, listed at the end.`;
}

function renderHead(plan: Plan, summary: PlanSummary): string[] {
  const blocks = ['## workato-oauth plan'];
  const pointer = describeRefusalPointer(plan);
  const listing = plan.customerListing ? [escapeMarkdownText(describeListing(plan.customerListing))] : [];
  if (plan.changes.length === 0) {
    blocks.push(describeNoChanges(plan));
    for (const line of listing) blocks.push(line);
    if (pointer !== undefined) blocks.push(pointer);
    return blocks;
  }
  blocks.push(`**Plan:** ${formatSummary(plan)}`);
  if (pointer !== undefined) blocks.push(pointer);
  const rows = SUMMARY_ROWS.map((action) => `| ${action} | ${formatCount(summary[action])} |`);
  if (summary.refused > 0) rows.push(`| refused | ${formatCount(summary.refused)} |`);
  blocks.push(['| Action | Count |', '| :-- | --: |', ...rows].join('\n'));
  if (countCalls(plan.apiCalls) > 0) blocks.push(formatApiCalls(plan));
  for (const line of listing) blocks.push(line);
  const unset = listUnsetVariables(plan);
  if (unset.length > 0) {
    blocks.push(
      `**Note:** apply needs these variables, which are not set now: ${unset.map((name) => markdownCode(`$${name}`)).join(', ')}.`,
    );
  }
  return blocks;
}

function renderWarnings(warnings: readonly Warning[]): string[] {
  if (warnings.length === 0) return [];
  const items = warnings
    .slice(0, MAX_WARNINGS_SHOWN)
    .map(
      (warning) =>
        `- ${markdownCode(truncate(warning.code, MAX_VALUE_CHARS))}: ${escapeMarkdownText(truncate(warning.message, MAX_WARNING_CHARS))}`,
    );
  if (warnings.length > MAX_WARNINGS_SHOWN) {
    items.push(`- … ${pluralize(warnings.length - MAX_WARNINGS_SHOWN, 'more warning')} not shown.`);
  }
  return ['### Warnings', items.join('\n')];
}

function renderDrift(drift: readonly DriftFinding[]): string[] {
  if (drift.length === 0) return [];
  const items = drift
    .slice(0, MAX_DRIFT_SHOWN)
    .map(
      (finding) =>
        `- ${markdownCode(truncate(finding.address, MAX_VALUE_CHARS))} (${markdownCode(truncate(finding.code, MAX_VALUE_CHARS))}): ` +
        `${text(finding.message, MAX_WARNING_CHARS)} — repair: ${markdownCode(truncate(finding.repair, MAX_VALUE_CHARS))}`,
    );
  if (drift.length > MAX_DRIFT_SHOWN) {
    items.push(`- … ${pluralize(drift.length - MAX_DRIFT_SHOWN, 'more finding')} not shown.`);
  }
  return [
    '### Drift',
    `${pluralize(drift.length, 'change')} made outside workato-oauth that this plan does not repair:`,
    items.join('\n'),
  ];
}

function renderRefusals(refusals: readonly Refusal[]): string[] {
  if (refusals.length === 0) return [];
  const items = refusals.slice(0, MAX_REFUSALS_SHOWN).map((refusal) => {
    const address = refusalAddress(refusal);
    const where = address === undefined ? '' : `${markdownCode(truncate(address, MAX_VALUE_CHARS))}: `;
    return `- ${where}${text(refusal.message, MAX_WARNING_CHARS)} (${markdownCode(truncate(refusal.code, MAX_VALUE_CHARS))})`;
  });
  if (refusals.length > MAX_REFUSALS_SHOWN) {
    items.push(`- … ${pluralize(refusals.length - MAX_REFUSALS_SHOWN, 'more reason')} not shown.`);
  }
  return [
    '### Apply is refused',
    'Nothing is applied while any of these stands (exit code 3):',
    items.join('\n'),
  ];
}

function renderUnmanaged(unmanaged: readonly UnmanagedProfile[]): string[] {
  if (unmanaged.length === 0) return [];
  const shown = unmanaged.slice(0, MAX_UNMANAGED_SHOWN);
  // The note column only when a profile needs it: most plans have none.
  const duplicates = shown.some((profile) => profile.duplicateOf !== undefined);
  const rows = shown.map((profile) => {
    const row = `| ${profile.id} | ${text(profile.name)} | ${text(profile.provider)} |`;
    if (!duplicates) return row;
    const note =
      profile.duplicateOf === undefined
        ? ''
        : `another profile named "${text(profile.duplicateOf)}"; left alone`;
    return `${row} ${note} |`;
  });
  const table = duplicates
    ? ['| Id | Name | Provider | Note |', '| --: | :-- | :-- | :-- |']
    : ['| Id | Name | Provider |', '| --: | :-- | :-- |'];
  const blocks = [
    '### Not managed, left alone',
    duplicates
      ? 'These profiles are in the workspace but workato-oauth does not manage them; apply does not touch them.'
      : 'These profiles are in the workspace but not in the configuration; apply does not touch them.',
    [...table, ...rows].join('\n'),
  ];
  if (unmanaged.length > MAX_UNMANAGED_SHOWN) {
    blocks.push(`_… ${pluralize(unmanaged.length - MAX_UNMANAGED_SHOWN, 'more profile')} not shown._`);
  }
  return blocks;
}

function describeCut(changes: number, unmanaged: boolean): string {
  const what = [
    changes > 0 ? pluralize(changes, 'more change') : '',
    unmanaged ? 'the unmanaged profiles' : '',
  ]
    .filter((part) => part !== '')
    .join(' and ');
  return `_… ${what} not shown; run \`workato-oauth plan\` for the full plan._`;
}

export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MARKDOWN_MAX_CHARS;
  // The refusals come last but are never cut: their room is kept from the start.
  const refusals = renderRefusals(plan.refusals).join('\n\n');
  const budget = maxChars - CUT_NOTE_RESERVE - (refusals === '' ? 0 : refusals.length + 2);
  const summary = summarizePlan(plan);
  const blocks: string[] = [];
  // Blocks are joined by a blank line: 2 characters each after the first.
  let length = -2;
  const fits = (block: string) => length + 2 + block.length <= budget;
  const add = (block: string) => {
    blocks.push(block);
    length += 2 + block.length;
  };

  // The totals, the warnings and the drift always come first; they are bounded in size.
  for (const block of [
    ...renderHead(plan, summary),
    ...renderStateOnlyMarkdown(plan.stateOnly),
    ...renderWarnings(plan.warnings),
    ...renderDrift(plan.drift),
  ]) {
    add(block);
  }

  // A rule's summary is cut whole when the comment is full; the changes below still list its customers.
  for (const block of renderRuleGroupsMarkdown(groupByRule(plan.changes))) if (fits(block)) add(block);

  let cutChanges = 0;
  let shownGroups = 0;
  const groups = groupByProfile(plan.changes);
  if (groups.length > 0) add('### Changes by profile');
  for (const group of groups) {
    if (cutChanges > 0) {
      cutChanges += countOwnChanges(group);
      continue;
    }
    const whole = renderGroup(group, group.entries.length);
    if (fits(whole)) {
      add(whole);
      shownGroups += 1;
      continue;
    }
    // Groups are cut whole, except a first group too long for the comment on its own
    // (one profile assigned to thousands): its head is shown rather than nothing.
    const shown = shownGroups === 0 ? findLongestHead(group, fits) : undefined;
    if (shown === undefined) {
      cutChanges += countOwnChanges(group);
    } else {
      add(renderGroup(group, shown));
      cutChanges += countOwnEntries(group, shown);
    }
  }

  let cutUnmanaged = false;
  const unmanaged = renderUnmanaged(plan.unmanaged).join('\n\n');
  if (unmanaged !== '') {
    if (cutChanges === 0 && fits(unmanaged)) add(unmanaged);
    else cutUnmanaged = true;
  }
  if (cutChanges > 0 || cutUnmanaged) add(describeCut(cutChanges, cutUnmanaged));
  if (refusals !== '') blocks.push(refusals);
  return `${blocks.join('\n\n')}\n`;
}
