/**
 * The plan as a pull-request comment: totals first, then the changes grouped by
 * profile (the profile's own change, then its assignments), long groups collapsed,
 * and every reason apply is refused last. Every user value is escaped, and the
 * comment is kept under GitHub's size limit by cutting whole groups at the end (only
 * a first group too long on its own is cut inside; the refusals are never cut), so
 * what is shown is always valid markdown.
 */
import { diffLines } from 'diff';
import type {
  AssignmentChange,
  Change,
  DriftFinding,
  Plan,
  ProfileChange,
  Refusal,
  UnmanagedProfile,
  Warning,
} from '../plan/types.js';
import { countCalls, formatApiCalls } from './cost.js';
import {
  escapeHtml,
  escapeMarkdownText,
  fenceCode,
  markdownCode,
  quote,
  revealHidden,
  truncate,
} from './escape.js';
import { formatCount, pluralize } from './numbers.js';
import {
  describeCustomerCount,
  describeInUse,
  describeNoChanges,
  describeReassert,
  refusalAddress,
} from './phrases.js';
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
/**
 * Warnings, drift findings, refusals and unmanaged profiles are shown up to these
 * counts, so they cannot crowd out the changes.
 */
const MAX_WARNINGS_SHOWN = 25;
const MAX_WARNING_CHARS = 300;
const MAX_DRIFT_SHOWN = 25;
const MAX_REFUSALS_SHOWN = 25;
const MAX_UNMANAGED_SHOWN = 50;
const MAX_VALUE_CHARS = 200;
/** How many customers a replace lists by name before it only counts them. */
const LISTED_CUSTOMERS = 20;

/**
 * An assignment change shown in a group. A swap is shown twice: under the profile
 * assigned, and (`leaving`) under the one it replaces, so each profile's group says
 * every customer it gains or loses.
 */
interface GroupEntry {
  change: AssignmentChange;
  leaving: boolean;
}

interface ProfileGroup {
  profile: string;
  profileChange?: ProfileChange;
  entries: GroupEntry[];
}

/** Groups in the order the plan first reaches each profile, which follows apply's order. */
function groupByProfile(changes: readonly Change[]): ProfileGroup[] {
  const groups = new Map<string, ProfileGroup>();
  const groupOf = (profile: string) => {
    let group = groups.get(profile);
    if (!group) {
      group = { profile, entries: [] };
      groups.set(profile, group);
    }
    return group;
  };
  for (const change of changes) {
    const group = groupOf(change.profile);
    if (change.kind === 'profile') {
      group.profileChange = change;
      continue;
    }
    group.entries.push({ change, leaving: false });
    if (change.action === 'swap' && change.previous !== undefined && change.previous !== change.profile) {
      groupOf(change.previous).entries.push({ change, leaving: true });
    }
  }
  return [...groups.values()];
}

/**
 * The group's own assignment changes from `from` on: a swap shown under the profile
 * it leaves is counted under the one it joins, so a cut never counts a change twice.
 */
function countOwnEntries(group: ProfileGroup, from = 0): number {
  return group.entries.slice(from).filter((entry) => !entry.leaving).length;
}

function countOwnChanges(group: ProfileGroup): number {
  return countOwnEntries(group) + (group.profileChange ? 1 : 0);
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

/** Refusals are listed last; the head says there are some, so nobody merges without reading to the end. */
function describeRefusalPointer(plan: Plan): string | undefined {
  if (plan.refusals.length === 0) return undefined;
  return `**Apply is refused:** ${pluralize(plan.refusals.length, 'reason')}, listed at the end.`;
}

function renderHead(plan: Plan, summary: PlanSummary): string[] {
  const blocks = ['## workato-oauth plan'];
  const pointer = describeRefusalPointer(plan);
  if (plan.changes.length === 0) {
    blocks.push(describeNoChanges(plan));
    if (pointer !== undefined) blocks.push(pointer);
    return blocks;
  }
  blocks.push(`**Plan:** ${formatSummary(plan)}`);
  if (pointer !== undefined) blocks.push(pointer);
  const rows = SUMMARY_ROWS.map((action) => `| ${action} | ${formatCount(summary[action])} |`);
  if (summary.refused > 0) rows.push(`| refused | ${formatCount(summary.refused)} |`);
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

/** Inline text for a user value outside code: escaped and cut to a bounded length. */
function text(value: string, maxChars = MAX_VALUE_CHARS): string {
  return escapeMarkdownText(truncate(value, maxChars));
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

function describeGroup(group: ProfileGroup): string {
  const parts: string[] = [];
  const change = group.profileChange;
  if (change) {
    const id = change.id === undefined ? '' : ` (id ${change.id})`;
    if (isRefused(change)) parts.push(`${change.action} refused${id}`);
    else {
      const verb = {
        create: 'will be created',
        adopt: 'will be adopted',
        update: change.renamedFrom === undefined ? 'will be updated' : 'will be renamed',
        replace: 'must be replaced',
        delete: 'will be deleted',
      }[change.action];
      parts.push(`${verb}${id}`);
    }
  }
  const counts = { assign: 0, swap: 0, 'swap out': 0, unassign: 0 };
  let refused = 0;
  for (const { change: assignment, leaving } of group.entries) {
    counts[leaving ? 'swap out' : assignment.action] += 1;
    if (!leaving && isRefused(assignment)) refused += 1;
  }
  const assignmentParts = (['assign', 'swap', 'swap out', 'unassign'] as const)
    .filter((action) => counts[action] > 0)
    .map((action) => `${formatCount(counts[action])} to ${action}`);
  if (refused > 0) assignmentParts.push(`${formatCount(refused)} refused`);
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

/** A list of customer keys in code spans, the first LISTED_CUSTOMERS of them; the rest counted. */
function listCustomers(customers: readonly string[]): string {
  const listed = customers
    .slice(0, LISTED_CUSTOMERS)
    .map((customer) => markdownCode(truncate(customer, MAX_VALUE_CHARS)))
    .join(', ');
  const more =
    customers.length > LISTED_CUSTOMERS
      ? ` and ${formatCount(customers.length - LISTED_CUSTOMERS)} more`
      : '';
  return `${listed}${more}`;
}

/** How a replace runs, step by step: what a reviewer needs to trust that no customer is left without a profile. */
function describeReplaceSteps(change: ProfileChange): string[] {
  const moves = change.moves ?? [];
  const unassignFrom = change.unassignFrom ?? [];
  const forced = change.forced ?? [];
  const newName = change.replacementName;
  const named = newName === undefined ? '' : ` as ${markdownCode(truncate(newName, MAX_VALUE_CHARS))}`;
  const steps: string[] = [
    change.replacementId === undefined
      ? `Create the new profile${named}.`
      : `Re-use the new profile (id ${change.replacementId}), made${named} by an interrupted apply.`,
  ];
  if (moves.length > 0) {
    steps.push(
      `Move ${pluralize(moves.length, 'customer')} to it (assign the new one, then unassign the old one): ${listCustomers(moves)}.`,
    );
  }
  if (unassignFrom.length > 0) {
    steps.push(
      `Unassign the old profile from ${pluralize(unassignFrom.length, 'customer')} not moved: ${listCustomers(unassignFrom)}.`,
    );
  }
  const old = change.id === undefined ? 'the old profile' : `the old profile (id ${change.id})`;
  const finalName = change.after?.name ?? change.profile;
  steps.push(
    newName === undefined || newName === finalName
      ? `Delete ${old}.`
      : `Delete ${old}, then rename the new one ${markdownCode(truncate(finalName, MAX_VALUE_CHARS))}.`,
  );
  const blocks = [
    `${isRefused(change) ? 'The replace would run' : 'The replace runs'} in this order, so that no customer is left without a profile:`,
    steps.map((step, i) => `${i + 1}. ${step}`).join('\n'),
  ];
  if (forced.length > 0) {
    blocks.push(
      `The old profile's unassign uses force=true for ${pluralize(forced.length, 'customer')}: ${listCustomers(forced)}.`,
    );
  }
  return blocks;
}

/** Paragraphs above a profile change's diff: why it is refused, and what else a reviewer must know. */
function describeProfileFacts(change: ProfileChange): string[] {
  const facts: string[] = [];
  if (change.refused !== undefined) {
    facts.push(`**Refused:** ${text(change.refused, MAX_WARNING_CHARS)}`);
  }
  if (change.preventDestroy === true) facts.push('`prevent_destroy` is set.');
  if (change.drift !== undefined) {
    facts.push(
      `**Drift:** ${text(change.drift, MAX_WARNING_CHARS)} — the configuration's fields and secrets are sent again.`,
    );
  }
  if (change.action === 'update' && change.renamedFrom !== undefined) {
    facts.push(
      `Renamed in place from ${markdownCode(truncate(change.renamedFrom, MAX_VALUE_CHARS))}: one call, its customers keep it.`,
    );
  }
  const count = describeCustomerCount(change.customerCount);
  if (count !== undefined) facts.push(`${count}.`);
  return facts;
}

/**
 * One line of the group's diff. `!` for a swap: GitHub shows it as "changed", between
 * the green and the red; a refused change keeps its action's sign and says it is refused.
 */
function renderAssignmentLine({ change, leaving }: GroupEntry): string {
  const customer = quote(change.customer);
  const details: string[] = [];
  let head: string;
  switch (change.action) {
    case 'assign':
      head = `+ assign   ${customer}`;
      break;
    case 'unassign':
      head = `- unassign ${customer}`;
      break;
    case 'swap':
      if (leaving) {
        head = `! swap out ${customer}`;
        details.push(`to ${quote(change.profile)}, same provider`);
      } else {
        head = `! swap     ${customer}`;
        const previous = change.previous === undefined ? "the customer's profile" : quote(change.previous);
        details.push(`replaces ${previous}, same provider`);
      }
      break;
  }
  if (change.action !== 'assign' && change.force === true) details.push('force');
  const notes = [describeInUse(change), describeReassert(change)].filter((note) => note !== undefined);
  if (change.refused !== undefined) notes.push(`refused: ${revealHidden(change.refused)}`);
  let line = details.length > 0 ? `${head} (${details.join('; ')})` : head;
  if (notes.length > 0) line += ` # ${notes.join('; ')}`;
  return line;
}

/** A group with only its first `shownEntries` assignment lines; the rest are counted in a note. */
function renderGroup(group: ProfileGroup, shownEntries: number): string {
  const change = group.profileChange;
  const diffBody: string[] = change ? diffProfileFields(change) : [];
  if (change && shownEntries > 0) diffBody.push('');
  for (const entry of group.entries.slice(0, shownEntries)) diffBody.push(renderAssignmentLine(entry));
  const before: string[] = change ? describeProfileFacts(change) : [];
  const after: string[] = change?.action === 'replace' ? describeReplaceSteps(change) : [];
  const hidden = group.entries.length - shownEntries;
  if (hidden > 0) after.push(`_… ${pluralize(hidden, 'more assignment change')} of this profile not shown._`);

  const body = [...before, fenceCode(diffBody.join('\n'), 'diff'), ...after].join('\n\n');
  const description = describeGroup(group);
  const length = [...before, ...after].reduce((n, block) => n + block.split('\n').length, diffBody.length);
  if (length <= COLLAPSE_AFTER_LINES) {
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
  let high = group.entries.length - 1;
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
    ...renderWarnings(plan.warnings),
    ...renderDrift(plan.drift),
  ]) {
    add(block);
  }

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
