/**
 * The plan as a pull-request comment: totals first, then the changes grouped by
 * profile (the profile's own change, then its assignments), long groups collapsed.
 * Every user value is escaped, and the comment is kept under GitHub's size limit by
 * cutting whole groups at the end (only a first group too long on its own is cut
 * inside), so what is shown is always valid markdown.
 */
import { diffLines } from 'diff';
import type {
  AssignmentChange,
  Change,
  Plan,
  ProfileChange,
  UnmanagedProfile,
  Warning,
} from '../plan/types.js';
import { countCalls, formatApiCalls } from './cost.js';
import { escapeHtml, escapeMarkdownText, fenceCode, markdownCode, quote, truncate } from './escape.js';
import { formatCount, pluralize } from './numbers.js';
import { describeProfileFields, type FieldRow } from './profile-fields.js';
import { formatSummary, isRefused, listUnsetVariables, type PlanSummary, summarizePlan } from './summary.js';

export interface MarkdownOptions {
  /** Upper bound on the comment's length in UTF-16 code units. GitHub refuses comments over 65,536. */
  maxChars?: number;
}

export const DEFAULT_MARKDOWN_MAX_CHARS = 65_000;

/** A group longer than this many lines is collapsed in `<details>`. */
const COLLAPSE_AFTER_LINES = 10;
/** Room kept for the note that says what was cut; the note is far shorter. */
const CUT_NOTE_RESERVE = 300;
/** Warnings and unmanaged profiles are shown up to these counts, so they cannot crowd out the changes. */
const MAX_WARNINGS_SHOWN = 25;
const MAX_WARNING_CHARS = 300;
const MAX_UNMANAGED_SHOWN = 50;
const MAX_VALUE_CHARS = 200;
/** How many customers a replace lists by name before it only counts them. */
const LISTED_CUSTOMERS = 10;

interface ProfileGroup {
  profile: string;
  profileChange?: ProfileChange;
  assignments: AssignmentChange[];
}

/** Groups in the order the plan first reaches each profile, which follows apply's order. */
function groupByProfile(changes: readonly Change[]): ProfileGroup[] {
  const groups = new Map<string, ProfileGroup>();
  for (const change of changes) {
    let group = groups.get(change.profile);
    if (!group) {
      group = { profile: change.profile, assignments: [] };
      groups.set(change.profile, group);
    }
    if (change.kind === 'profile') group.profileChange = change;
    else group.assignments.push(change);
  }
  return [...groups.values()];
}

function countGroupChanges(group: ProfileGroup): number {
  return group.assignments.length + (group.profileChange ? 1 : 0);
}

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

function renderHead(plan: Plan, summary: PlanSummary): string[] {
  const blocks = ['## workato-oauth plan'];
  if (plan.changes.length === 0) {
    blocks.push('No changes. The workspace matches the configuration.');
    return blocks;
  }
  blocks.push(`**Plan:** ${formatSummary(summary)}`);
  const rows = SUMMARY_ROWS.map((action) => `| ${action} | ${formatCount(summary[action])} |`);
  if (summary.refused > 0) rows.push(`| refused (prevent_destroy) | ${formatCount(summary.refused)} |`);
  blocks.push(['| Action | Count |', '| :-- | --: |', ...rows].join('\n'));
  if (countCalls(plan.apiCalls) > 0) blocks.push(formatApiCalls(plan));
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

function renderUnmanaged(unmanaged: readonly UnmanagedProfile[]): string[] {
  if (unmanaged.length === 0) return [];
  const cell = (value: string) => escapeMarkdownText(truncate(value, MAX_VALUE_CHARS));
  const rows = unmanaged
    .slice(0, MAX_UNMANAGED_SHOWN)
    .map((profile) => `| ${profile.id} | ${cell(profile.name)} | ${cell(profile.provider)} |`);
  const blocks = [
    '### Not managed, left alone',
    'These profiles are in the workspace but not in the configuration; apply does not touch them.',
    ['| Id | Name | Provider |', '| --: | :-- | :-- |', ...rows].join('\n'),
  ];
  if (unmanaged.length > MAX_UNMANAGED_SHOWN) {
    blocks.push(`_… ${pluralize(unmanaged.length - MAX_UNMANAGED_SHOWN, 'more profile')} not shown._`);
  }
  return blocks;
}

function describeGroup(group: ProfileGroup): string {
  const parts: string[] = [];
  const change = group.profileChange;
  if (change) {
    const id = change.id === undefined ? '' : ` (id ${change.id})`;
    if (isRefused(change)) parts.push(`delete refused: prevent_destroy is set${id}`);
    else {
      const verb = {
        create: 'will be created',
        adopt: 'will be adopted',
        update: 'will be updated',
        replace: 'must be replaced',
        delete: 'will be deleted',
      }[change.action];
      parts.push(`${verb}${id}`);
    }
  }
  const counts = { assign: 0, swap: 0, unassign: 0 };
  for (const assignment of group.assignments) counts[assignment.action] += 1;
  const assignmentParts = (['assign', 'swap', 'unassign'] as const)
    .filter((action) => counts[action] > 0)
    .map((action) => `${formatCount(counts[action])} to ${action}`);
  if (assignmentParts.length > 0) parts.push(assignmentParts.join(', '));
  return parts.join('; ');
}

function renderFieldLine(row: FieldRow, width: number, side: 'before' | 'after'): string | undefined {
  const value = row[side];
  if (value === undefined) return undefined;
  const note = row.note === undefined || side === 'before' ? '' : ` # ${row.note}`;
  return `${row.field.padEnd(width)} = ${value}${note}`;
}

/** The profile's fields before and after, as a line diff made by the `diff` package. */
function diffProfileFields(change: ProfileChange): string[] {
  const rows = describeProfileFields(change);
  const width = Math.max(0, ...rows.map((row) => row.field.length));
  const side = (which: 'before' | 'after') =>
    rows
      .map((row) => renderFieldLine(row, width, which))
      .filter((line) => line !== undefined)
      .map((line) => `${line}\n`)
      .join('');
  const lines: string[] = [];
  for (const part of diffLines(side('before'), side('after'))) {
    const prefix = part.added ? '+ ' : part.removed ? '- ' : '  ';
    for (const line of part.value.split('\n')) if (line !== '') lines.push(`${prefix}${line}`);
  }
  return lines;
}

/** `!` for a swap: GitHub shows it as "changed", between the green and the red. */
function renderAssignmentLine(change: AssignmentChange): string {
  const customer = quote(change.customer);
  const force = `force=${change.force === true}`;
  switch (change.action) {
    case 'assign':
      return `+ assign   ${customer}`;
    case 'unassign':
      return `- unassign ${customer} (${force})`;
    case 'swap': {
      const previous = change.previous === undefined ? "the customer's profile" : quote(change.previous);
      return `! swap     ${customer} (replaces ${previous}, same provider; ${force})`;
    }
  }
}

/** A group with only its first `shownAssignments` assignments; the rest are counted in a note. */
function renderGroup(group: ProfileGroup, shownAssignments: number): string {
  const change = group.profileChange;
  const diffBody: string[] = change ? diffProfileFields(change) : [];
  if (change && shownAssignments > 0) diffBody.push('');
  for (const assignment of group.assignments.slice(0, shownAssignments)) {
    diffBody.push(renderAssignmentLine(assignment));
  }
  const before: string[] = [];
  const after: string[] = [];
  if (change && isRefused(change)) {
    before.push('**Refused:** prevent_destroy is set, so this profile will not be deleted.');
  }
  if (change?.action === 'replace' && (change.unassignFrom ?? []).length > 0) {
    const customers = change.unassignFrom ?? [];
    const listed = customers.slice(0, LISTED_CUSTOMERS).map(markdownCode).join(', ');
    const more =
      customers.length > LISTED_CUSTOMERS
        ? ` and ${formatCount(customers.length - LISTED_CUSTOMERS)} more`
        : '';
    after.push(
      `The old profile is unassigned from ${pluralize(customers.length, 'customer')} first (${listed}${more}); ` +
        'then the new profile is assigned per the configuration.',
    );
  }
  const hidden = group.assignments.length - shownAssignments;
  if (hidden > 0) after.push(`_… ${pluralize(hidden, 'more assignment change')} of this profile not shown._`);

  const body = [...before, fenceCode(diffBody.join('\n'), 'diff'), ...after].join('\n\n');
  const description = describeGroup(group);
  if (diffBody.length + before.length + after.length <= COLLAPSE_AFTER_LINES) {
    return `**${markdownCode(group.profile)}** — ${description}\n\n${body}`;
  }
  // Inside the HTML block markdown is not parsed, so the name is HTML-escaped there.
  const summary = `<summary><strong><code>${escapeHtml(group.profile)}</code></strong> — ${description}</summary>`;
  return `<details>${summary}\n\n${body}\n\n</details>`;
}

/** How many of the group's assignments can be shown within the budget; fitting only gets harder with more. */
function findLongestHead(group: ProfileGroup, fits: (block: string) => boolean): number | undefined {
  let best: number | undefined;
  // A group with no profile change and no assignment shown would be an empty block.
  let low = group.profileChange ? 0 : 1;
  let high = group.assignments.length - 1;
  while (low <= high) {
    const mid = Math.floor((low + high) / 2);
    if (fits(renderGroup(group, mid))) {
      best = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return best;
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
  const budget = maxChars - CUT_NOTE_RESERVE;
  const summary = summarizePlan(plan);
  const blocks: string[] = [];
  // Blocks are joined by a blank line: 2 characters each after the first.
  let length = -2;
  const fits = (block: string) => length + 2 + block.length <= budget;
  const add = (block: string) => {
    blocks.push(block);
    length += 2 + block.length;
  };

  // The totals and the warnings always come first; they are bounded in size.
  for (const block of [...renderHead(plan, summary), ...renderWarnings(plan.warnings)]) add(block);

  let cutChanges = 0;
  let shownGroups = 0;
  const groups = groupByProfile(plan.changes);
  if (groups.length > 0) add('### Changes by profile');
  for (const group of groups) {
    if (cutChanges > 0) {
      cutChanges += countGroupChanges(group);
      continue;
    }
    const whole = renderGroup(group, group.assignments.length);
    if (fits(whole)) {
      add(whole);
      shownGroups += 1;
      continue;
    }
    // Groups are cut whole, except a first group too long for the comment on its own
    // (one profile assigned to thousands): its head is shown rather than nothing.
    const shown = shownGroups === 0 ? findLongestHead(group, fits) : undefined;
    if (shown === undefined) {
      cutChanges += countGroupChanges(group);
    } else {
      add(renderGroup(group, shown));
      cutChanges += group.assignments.length - shown;
    }
  }

  let cutUnmanaged = false;
  const unmanaged = renderUnmanaged(plan.unmanaged).join('\n\n');
  if (unmanaged !== '') {
    if (cutChanges === 0 && fits(unmanaged)) add(unmanaged);
    else cutUnmanaged = true;
  }
  if (cutChanges > 0 || cutUnmanaged) add(describeCut(cutChanges, cutUnmanaged));
  return `${blocks.join('\n\n')}\n`;
}
