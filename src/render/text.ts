/**
 * The plan for a terminal or a CI log, in Terraform's shape: a legend of symbols,
 * one block per profile change, one line per assignment change, then the totals.
 * Changes are listed in the plan's order, which is the order apply runs them in.
 */
import type {
  AssignmentChange,
  Change,
  Plan,
  ProfileChange,
  UnmanagedProfile,
  Warning,
} from '../plan/types.js';
import { countCalls, formatApiCalls } from './cost.js';
import { quote, revealHidden } from './escape.js';
import { formatCount, pluralize } from './numbers.js';
import { describeProfileFields, type FieldRow } from './profile-fields.js';
import { formatSummary, isRefused, listUnsetVariables, summarizePlan } from './summary.js';

export interface TextOptions {
  /** ANSI colours, as Terraform uses them. The caller decides (TTY, NO_COLOR, --no-color). */
  color: boolean;
}

type Style = 'green' | 'yellow' | 'red' | 'cyan' | 'bold';
type Paint = (style: Style, text: string) => string;

const ANSI: Record<Style, string> = {
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  red: '\u001b[31m',
  cyan: '\u001b[36m',
  bold: '\u001b[1m',
};
const RESET = '\u001b[0m';

function makePainter(color: boolean): Paint {
  return color ? (style, text) => `${ANSI[style]}${text}${RESET}` : (_style, text) => text;
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

/** Only the symbols this plan uses, each explained for the actions that use it. */
function renderLegend(changes: readonly Change[], paint: Paint): string[] {
  const used = new Set<string>();
  for (const change of changes) used.add(isRefused(change) ? 'refused' : change.action);
  const explain: Record<ActionSymbol, string[]> = {
    '+': [used.has('create') ? 'create' : '', used.has('assign') ? 'assign to a customer' : ''],
    '<=': [
      used.has('adopt') ? 'adopt: take an existing profile under management; its secret is written once' : '',
    ],
    '~': [used.has('update') ? 'update in place' : ''],
    '-/+': [
      used.has('replace') ? 'replace: delete, then create again' : '',
      used.has('swap')
        ? "swap: unassign the customer's profile for the same provider, then assign this one"
        : '',
    ],
    '-': [used.has('delete') ? 'delete' : '', used.has('unassign') ? 'unassign from a customer' : ''],
    '!': [used.has('refused') ? 'refused: prevent_destroy is set, so the profile will not be deleted' : ''],
  };
  const lines = ['Resource actions are indicated with the following symbols:'];
  for (const symbol of SYMBOLS) {
    const parts = explain[symbol].filter((part) => part !== '');
    // Short phrases read as alternatives; the replace and swap explanations need a stronger break.
    const joined = parts.join(symbol === '-/+' ? '; ' : ', or ');
    if (parts.length > 0) lines.push(`${gutter(symbol, paint)} ${joined}`);
  }
  if (used.has('unassign') || used.has('swap')) {
    lines.push(
      '    force=true unassigns even while connections in the workspace use the profile;',
      '    with force=false Workato refuses to unassign a profile that is in use.',
    );
  }
  return lines;
}

function describeProfileAction(change: ProfileChange): string {
  if (isRefused(change)) return 'will NOT be deleted: prevent_destroy is set, so the delete is refused';
  switch (change.action) {
    case 'create':
      return 'will be created';
    case 'adopt':
      return `will be adopted (id ${change.id}): taken under management, its secret written once`;
    case 'update':
      return 'will be updated in place';
    case 'replace':
      return 'must be replaced';
    case 'delete':
      return 'will be deleted';
  }
}

/** Unchanged fields still shown: they say which profile this is. */
const CONTEXT_FIELDS = new Set(['id', 'provider']);
/** How many customers a replace lists by name before it only counts them. */
const LISTED_CUSTOMERS = 10;

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
  const lines = [paint('bold', `  # ${address} ${describeProfileAction(change)}`)];
  if (change.action === 'replace' && (change.unassignFrom ?? []).length > 0) {
    const customers = change.unassignFrom ?? [];
    const listed = customers.slice(0, LISTED_CUSTOMERS).map(quote).join(', ');
    const more =
      customers.length > LISTED_CUSTOMERS
        ? ` and ${formatCount(customers.length - LISTED_CUSTOMERS)} more`
        : '';
    lines.push(
      paint(
        'bold',
        `  # (unassigns it from ${pluralize(customers.length, 'customer')} first: ${listed}${more}; ` +
          'then the new profile is assigned per the configuration)',
      ),
    );
  }
  const symbol = symbolOf(change);
  if (symbol === '!') {
    lines.push(`${gutter(symbol, paint)} ${address}${change.id === undefined ? '' : ` (id ${change.id})`}`);
    return lines;
  }
  const rows = describeProfileFields(change);
  // Terraform hides unchanged attributes on in-place changes; create and delete show everything.
  const hideSame = change.action !== 'create' && change.action !== 'delete';
  const shown = rows.filter((row) => !hideSame || row.mark !== 'same' || CONTEXT_FIELDS.has(row.field));
  const hidden = rows.length - shown.length;
  const width = Math.max(0, ...shown.map((row) => row.field.length));
  lines.push(`${gutter(symbol, paint)} ${address} {`);
  for (const row of shown) lines.push(renderFieldRow(row, width, paint));
  if (hidden > 0) lines.push(`        # (${pluralize(hidden, 'unchanged attribute')} hidden)`);
  lines.push('    }');
  return lines;
}

function renderAssignmentChange(change: AssignmentChange, paint: Paint): string {
  const head = `${gutter(symbolOf(change), paint)} ${revealHidden(change.address)}`;
  const force = `force=${change.force === true}`;
  switch (change.action) {
    case 'assign':
      return head;
    case 'unassign':
      return `${head} (${force})`;
    case 'swap': {
      const previous = change.previous === undefined ? "the customer's profile" : quote(change.previous);
      return `${head} (replaces ${previous}, same provider; ${force})`;
    }
  }
}

function renderUnmanaged(unmanaged: readonly UnmanagedProfile[]): string[] {
  if (unmanaged.length === 0) return [];
  return [
    '',
    `Not managed, left alone: ${pluralize(unmanaged.length, 'profile')} in the workspace that the configuration does not list:`,
    ...unmanaged.map(
      (profile) => `    id ${profile.id} ${quote(profile.name)} (provider ${quote(profile.provider)})`,
    ),
  ];
}

function renderWarnings(warnings: readonly Warning[], paint: Paint): string[] {
  return warnings.flatMap((warning) => [
    '',
    `${paint('yellow', paint('bold', 'Warning'))} (${revealHidden(warning.code)}): ${revealHidden(warning.message)}`,
  ]);
}

export function renderText(plan: Plan, options: TextOptions): string {
  const paint = makePainter(options.color);
  const lines: string[] = [];
  if (plan.changes.length === 0) {
    lines.push('No changes. The workspace matches the configuration.');
  } else {
    lines.push(...renderLegend(plan.changes, paint), '', 'workato-oauth will perform the following actions:');
    let previous: Change['kind'] | undefined;
    for (const change of plan.changes) {
      if (change.kind === 'profile') {
        lines.push('', ...renderProfileChange(change, paint));
      } else {
        // Assignment lines run together: there can be thousands.
        if (previous !== 'assignment') lines.push('');
        lines.push(renderAssignmentChange(change, paint));
      }
      previous = change.kind;
    }
    lines.push('', `${paint('bold', 'Plan:')} ${formatSummary(summarizePlan(plan))}`);
    if (countCalls(plan.apiCalls) > 0) lines.push(formatApiCalls(plan));
    const unset = listUnsetVariables(plan);
    if (unset.length > 0) {
      const names = unset.map((name) => `$${revealHidden(name)}`).join(', ');
      lines.push(`Note: apply needs these variables, which are not set now: ${names}.`);
    }
  }
  lines.push(...renderUnmanaged(plan.unmanaged), ...renderWarnings(plan.warnings, paint));
  return `${lines.join('\n')}\n`;
}
