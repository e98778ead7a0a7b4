/**
 * The plan for a terminal or a CI log, in Terraform's shape: a legend of symbols,
 * one block per profile change, one line per assignment change, then the totals,
 * the drift no change repairs, and last (where a CI log is read first) every reason
 * apply is refused. Changes are listed in the plan's order, which is the order
 * apply runs them in; a refused change is shown with what it would do and why not.
 */

import { append, maxOf } from '../arrays.js';
import { countCalls } from '../plan/cost.js';
import type { AssignmentChange, Change, Plan, ProfileChange } from '../plan/types.js';
import { formatApiCalls } from './cost.js';
import { quote, revealHidden } from './escape.js';
import { pluralize } from './numbers.js';
import { makePainter, type Paint } from './paint.js';
import { describeCustomerCount, describeInUse, describeNoChanges, describeReassert } from './phrases.js';
import { describeProfileFields, type FieldRow } from './profile-fields.js';
import { describeListing, groupByRule, renderRuleGroupsText } from './rule-groups.js';
import { renderStateOnlyText } from './state-only.js';
import { formatSummary, isRefused, listUnsetVariables } from './summary.js';
import { renderDrift, renderRefusals, renderUnmanaged, renderWarnings } from './text-sections.js';

export interface TextOptions {
  /** ANSI colours, as Terraform uses them. The caller decides (TTY, NO_COLOR, --no-color). */
  color: boolean;
}

/** The symbols, in the order the legend lists them. */
const SYMBOLS = ['+', '<=', '~', '-/+', '-', '!'] as const;
type ActionSymbol = (typeof SYMBOLS)[number];

function symbolOf(change: Change): ActionSymbol {
  if (isRefused(change)) return '!';
  switch (change.action) {
    case 'create':
    case 'assign':
      return '+';
    case 'adopt':
      return '<=';
    case 'update':
      return '~';
    case 'replace':
    case 'swap':
      return '-/+';
    case 'delete':
    case 'unassign':
      return '-';
  }
}

function paintSymbol(symbol: ActionSymbol, paint: Paint): string {
  switch (symbol) {
    case '+':
      return paint('green', symbol);
    case '<=':
      return paint('cyan', symbol);
    case '~':
      return paint('yellow', symbol);
    case '-/+':
      return `${paint('red', '-')}/${paint('green', '+')}`;
    case '-':
    case '!':
      return paint('red', symbol);
  }
}

/** Right-aligned in three columns, as Terraform does, so addresses line up. */
function gutter(symbol: ActionSymbol, paint: Paint): string {
  return `${' '.repeat(3 - symbol.length)}${paintSymbol(symbol, paint)}`;
}

/** What the plan uses, for the legend: actions, plus `refused`, `rename` and `force`. */
function collectUsed(changes: readonly Change[]): Set<string> {
  const used = new Set<string>();
  for (const change of changes) {
    used.add(isRefused(change) ? 'refused' : change.action);
    const renames =
      change.kind === 'profile' && change.action === 'update' && change.renamedFrom !== undefined;
    if (renames && !isRefused(change)) {
      used.add('rename');
    }
    if (change.kind === 'assignment' ? change.force === true : (change.forced ?? []).length > 0) {
      used.add('force');
    }
  }
  return used;
}

/** Only the symbols this plan uses, each explained for the actions that use it. */
function renderLegend(changes: readonly Change[], paint: Paint): string[] {
  const used = collectUsed(changes);
  const explain: Record<ActionSymbol, string[]> = {
    '+': [used.has('create') ? 'create' : '', used.has('assign') ? 'assign to a customer' : ''],
    '<=': [
      used.has('adopt') ? 'adopt: take an existing profile under management; its secret is written once' : '',
    ],
    '~': [used.has('update') ? 'update in place' : '', used.has('rename') ? 'rename in place' : ''],
    '-/+': [
      used.has('replace')
        ? 'replace: a new provider needs a new profile; each customer is moved to it before the old one is deleted'
        : '',
      used.has('swap')
        ? "swap: unassign the customer's profile for the same provider, then assign this one"
        : '',
    ],
    '-': [used.has('delete') ? 'delete' : '', used.has('unassign') ? 'unassign from a customer' : ''],
    '!': [
      used.has('refused')
        ? 'refused: apply will not run while this change is refused (the reason is shown)'
        : '',
    ],
  };
  const lines = ['Resource actions are indicated with the following symbols:'];
  for (const symbol of SYMBOLS) {
    const parts = explain[symbol].filter((part) => part !== '');
    // Short phrases read as alternatives; the replace and swap explanations get a line each.
    if (symbol === '-/+') for (const part of parts) lines.push(`${gutter(symbol, paint)} ${part}`);
    else if (parts.length > 0) lines.push(`${gutter(symbol, paint)} ${parts.join(', or ')}`);
  }
  if (used.has('unassign') || used.has('swap') || used.has('force')) {
    lines.push(
      '    (force) marks an unassign sent with force=true: it goes through even while connections in the',
      '    workspace use the profile; without it, Workato refuses to unassign a profile that is in use.',
    );
  }
  return lines;
}

/** `will be created`, or `would be created` for a change that is refused. */
function describeProfileAction(change: ProfileChange): string {
  const will = isRefused(change) ? 'would' : 'will';
  switch (change.action) {
    case 'create':
      return `${will} be created`;
    case 'adopt':
      return `${will} be adopted (id ${change.id}): taken under management, its secret written once`;
    case 'update':
      return change.renamedFrom === undefined
        ? `${will} be updated in place`
        : `${will} be renamed in place from ${quote(change.renamedFrom)}`;
    case 'replace':
      return isRefused(change) ? 'would be replaced' : 'must be replaced';
    case 'delete':
      return `${will} be deleted`;
  }
}

/** Unchanged fields still shown: they say which profile this is. */
const CONTEXT_FIELDS = new Set(['id', 'provider']);
/** Comment lines holding a list of customers are wrapped at this width. */
const WRAP_AT = 100;

/** Customer keys, quoted, all of them (the text is the full plan), on comment lines of their own. */
function wrapCustomers(customers: readonly string[]): string[] {
  const indent = '  #        ';
  const lines: string[] = [];
  let line = '';
  customers.forEach((customer, i) => {
    const item = `${quote(customer)}${i < customers.length - 1 ? ',' : ''}`;
    if (line !== '' && indent.length + line.length + 1 + item.length > WRAP_AT) {
      lines.push(`${indent}${line}`);
      line = '';
    }
    line += line === '' ? item : ` ${item}`;
  });
  if (line !== '') lines.push(`${indent}${line}`);
  return lines;
}

/** How a replace runs, step by step: what a reviewer needs to trust that no customer is left without a profile. */
function describeReplaceSteps(change: ProfileChange): string[] {
  const moves = change.moves ?? [];
  const unassignFrom = change.unassignFrom ?? [];
  const forced = change.forced ?? [];
  const newName = change.replacementName;
  const runs = isRefused(change) ? 'would run' : 'runs';
  const lines = [`  # the replace ${runs} in this order, so that no customer is left without a profile:`];
  const steps: { text: string; customers?: readonly string[] }[] = [];
  if (change.replacementId !== undefined) {
    const named = newName === undefined ? '' : ` as ${quote(newName)}`;
    steps.push({
      text: `re-use the new profile (id ${change.replacementId}), made${named} by an interrupted apply`,
    });
  } else {
    steps.push({
      text: newName === undefined ? 'create the new profile' : `create the new profile as ${quote(newName)}`,
    });
  }
  if (moves.length > 0) {
    steps.push({
      text: `move ${pluralize(moves.length, 'customer')} to it (assign the new one, then unassign the old one):`,
      customers: moves,
    });
  }
  if (unassignFrom.length > 0) {
    steps.push({
      text: `unassign the old profile from ${pluralize(unassignFrom.length, 'customer')} not moved:`,
      customers: unassignFrom,
    });
  }
  const old = change.id === undefined ? 'the old profile' : `the old profile (id ${change.id})`;
  const finalName = change.after?.name ?? change.profile;
  steps.push({
    text:
      newName === undefined || newName === finalName
        ? `delete ${old}`
        : `delete ${old}, then rename the new one ${quote(finalName)}`,
  });
  steps.forEach((step, i) => {
    lines.push(`  #   ${i + 1}. ${step.text}`);
    if (step.customers !== undefined) append(lines, wrapCustomers(step.customers));
  });
  if (forced.length > 0) {
    lines.push(
      `  #   the old profile's unassign sends force=true for ${pluralize(forced.length, 'customer')}:`,
    );
    append(lines, wrapCustomers(forced));
  }
  return lines;
}

/** The comment lines above a profile change's block: what happens, why, and what to know. */
function describeProfileChange(change: ProfileChange, paint: Paint): string[] {
  const address = revealHidden(change.address);
  const fact = change.preventDestroy === true ? ' (prevent_destroy is set)' : '';
  const lines = [paint('bold', `  # ${address} ${describeProfileAction(change)}${fact}`)];
  if (change.refused !== undefined) lines.push(paint('red', `  # refused: ${revealHidden(change.refused)}`));
  // The reason says what happened, e.g. `modified outside workato-oauth: updated_at ... -> ...`.
  if (change.drift !== undefined) lines.push(paint('yellow', `  # ${revealHidden(change.drift)}`));
  const count = describeCustomerCount(change.customerCount);
  if (count !== undefined) lines.push(`  # ${count}`);
  if (change.action === 'replace') append(lines, describeReplaceSteps(change));
  return lines;
}

function renderFieldRow(row: FieldRow, width: number, paint: Paint): string {
  const mark = {
    same: ' ',
    added: paint('green', '+'),
    removed: paint('red', '-'),
    changed: paint('yellow', '~'),
  }[row.mark];
  let value: string;
  if (row.mark === 'changed' && !row.secret) value = `${row.before} -> ${row.after}`;
  else value = row.after ?? row.before ?? '';
  const note = row.note === undefined ? '' : ` # ${row.note}`;
  return `      ${mark} ${row.field.padEnd(width)} = ${value}${note}`;
}

function renderProfileChange(change: ProfileChange, paint: Paint): string[] {
  const address = revealHidden(change.address);
  const lines = describeProfileChange(change, paint);
  const rows = describeProfileFields(change);
  // Terraform hides unchanged attributes on in-place changes; create and delete show everything.
  const hideSame = change.action !== 'create' && change.action !== 'delete';
  const shown = rows.filter((row) => !hideSame || row.mark !== 'same' || CONTEXT_FIELDS.has(row.field));
  const hidden = rows.length - shown.length;
  const width = maxOf(
    shown.map((row) => row.field.length),
    0,
  );
  lines.push(`${gutter(symbolOf(change), paint)} ${address} {`);
  for (const row of shown) lines.push(renderFieldRow(row, width, paint));
  if (hidden > 0) lines.push(`        # (${pluralize(hidden, 'unchanged attribute')} hidden)`);
  lines.push('    }');
  return lines;
}

function renderAssignmentChange(change: AssignmentChange, paint: Paint): string {
  const head = `${gutter(symbolOf(change), paint)} ${revealHidden(change.address)}`;
  const details: string[] = [];
  // `!` hides the action, so a refused change names it.
  if (isRefused(change)) details.push(change.action);
  if (change.action === 'swap') {
    const previous = change.previous === undefined ? "the customer's profile" : quote(change.previous);
    details.push(`replaces ${previous}, same provider`);
  }
  if (change.action !== 'assign' && change.force === true) details.push('force');
  const notes: string[] = [];
  for (const note of [describeInUse(change), describeReassert(change)]) if (note) notes.push(note);
  if (change.rule !== undefined) notes.push(`by rule ${quote(change.rule)}`);
  let line = details.length > 0 ? `${head} (${details.join('; ')})` : head;
  if (notes.length > 0) line += ` # ${notes.join('; ')}`;
  if (change.refused !== undefined) line += paint('red', ` # refused: ${revealHidden(change.refused)}`);
  return line;
}

export function renderText(plan: Plan, options: TextOptions): string {
  const parts: string[] = [];
  renderTextTo(plan, options, (chunk) => parts.push(chunk));
  return parts.join('');
}

/** Lines handed on at a time: a 300k-change plan is never one array of lines nor one string. */
const CHUNK_LINES = 4096;

/**
 * The text plan, handed to `emit` in pieces as it is made (their concatenation is
 * renderText's string). At 100k customers the plan has 300k lines, and holding them
 * all, then joining them, cost more in garbage collection than making them.
 */
export function renderTextTo(plan: Plan, options: TextOptions, emit: (chunk: string) => void): void {
  const paint = makePainter(options.color);
  const lines: string[] = [];
  const flush = () => {
    emit(`${lines.join('\n')}\n`);
    lines.length = 0;
  };
  if (plan.changes.length === 0) {
    lines.push(describeNoChanges(plan));
  } else {
    append(lines, renderLegend(plan.changes, paint), [
      '',
      'workato-oauth will perform the following actions:',
    ]);
    let previous: Change['kind'] | undefined;
    for (const change of plan.changes) {
      if (change.kind === 'profile') {
        lines.push('');
        append(lines, renderProfileChange(change, paint));
      } else {
        // Assignment lines run together: there can be thousands.
        if (previous !== 'assignment') lines.push('');
        lines.push(renderAssignmentChange(change, paint));
      }
      previous = change.kind;
      if (lines.length >= CHUNK_LINES) flush();
    }
    append(lines, renderRuleGroupsText(groupByRule(plan.changes), wrapCustomers));
    lines.push('', `${paint('bold', 'Plan:')} ${formatSummary(plan)}`);
    if (countCalls(plan.apiCalls) > 0) lines.push(formatApiCalls(plan));
    const unset = listUnsetVariables(plan);
    if (unset.length > 0) {
      const names = unset.map((name) => `$${revealHidden(name)}`).join(', ');
      lines.push(`Note: apply needs these variables, which are not set now: ${names}.`);
    }
  }
  if (plan.customerListing) lines.push(describeListing(plan.customerListing));
  append(
    lines,
    renderStateOnlyText(plan.stateOnly, (t) => paint('bold', t)),
    renderDrift(plan.drift, paint),
    renderUnmanaged(plan.unmanaged),
    renderWarnings(plan.warnings, paint),
    renderRefusals(plan.refusals, paint),
  );
  flush();
}
