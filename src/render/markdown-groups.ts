/**
 * The changes of a plan grouped by profile, as markdown: each profile's own change
 * (its facts, a diff of its fields, the steps of a replace), then the assignments it
 * gains or loses. Used by the pull-request comment in markdown.ts, which decides how
 * many groups fit.
 */

import { diffLines } from 'diff';
import { maxOf } from '../arrays.js';
import type { AssignmentChange, Change, ProfileChange } from '../plan/types.js';
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
import { describeCustomerCount, describeInUse, describeReassert } from './phrases.js';
import { describeProfileFields, type FieldRow } from './profile-fields.js';
import { isRefused } from './summary.js';

/** A group longer than this many lines is collapsed in `<details>`. */
const COLLAPSE_AFTER_LINES = 10;
/** How much of a message (a warning, a finding, a refusal) is shown before it is cut. */
export const MAX_WARNING_CHARS = 300;
/** How much of a single user value (a name, a key, a code) is shown before it is cut. */
export const MAX_VALUE_CHARS = 200;
/** How many customers a replace lists by name before it only counts them. */
const LISTED_CUSTOMERS = 20;

/** Inline text for a user value outside code: escaped and cut to a bounded length. */
export function text(value: string, maxChars = MAX_VALUE_CHARS): string {
  return escapeMarkdownText(truncate(value, maxChars));
}

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
export function groupByProfile(changes: readonly Change[]): ProfileGroup[] {
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
export function countOwnEntries(group: ProfileGroup, from = 0): number {
  return group.entries.slice(from).filter((entry) => !entry.leaving).length;
}

export function countOwnChanges(group: ProfileGroup): number {
  return countOwnEntries(group) + (group.profileChange ? 1 : 0);
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
  const width = maxOf(
    rows.map((row) => row.field.length),
    0,
  );
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
  if (change.rule !== undefined) notes.push(`by rule ${quote(change.rule)}`);
  if (change.refused !== undefined) notes.push(`refused: ${revealHidden(change.refused)}`);
  let line = details.length > 0 ? `${head} (${details.join('; ')})` : head;
  if (notes.length > 0) line += ` # ${notes.join('; ')}`;
  return line;
}

/** A group with only its first `shownEntries` assignment lines; the rest are counted in a note. */
export function renderGroup(group: ProfileGroup, shownEntries: number): string {
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
export function findLongestHead(group: ProfileGroup, fits: (block: string) => boolean): number | undefined {
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
