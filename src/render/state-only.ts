/**
 * State-only edits (`prevent_destroy` flipped, nothing to send): each format shows
 * them apart from the changes, with their count, so no plan says "No changes"
 * while apply rewrites the state.
 */
import type { StateOnlyChange } from '../plan/types.js';
import { escapeMarkdownText, markdownCode, revealHidden, truncate } from './escape.js';
import { pluralize } from './numbers.js';

/** Shown in markdown up to this many, like drift findings: they cannot crowd out the changes. */
const MAX_SHOWN = 25;

export const STATE_ONLY_TITLE = 'State only (no API call)';

function describeCount(edits: readonly StateOnlyChange[]): string {
  return `${pluralize(edits.length, 'change')} apply records in the state file only`;
}

export function renderStateOnlyText(
  edits: readonly StateOnlyChange[],
  bold: (text: string) => string,
): string[] {
  if (edits.length === 0) return [];
  return [
    '',
    `${bold(`${STATE_ONLY_TITLE}:`)} ${describeCount(edits)}:`,
    ...edits.map(
      (edit) =>
        `  ~ ${revealHidden(edit.address)}  ${edit.field}: ${String(edit.before)} -> ${String(edit.after)}`,
    ),
  ];
}

export function renderStateOnlyMarkdown(edits: readonly StateOnlyChange[]): string[] {
  if (edits.length === 0) return [];
  const items = edits
    .slice(0, MAX_SHOWN)
    .map(
      (edit) =>
        `- ${markdownCode(truncate(edit.address, 200))}: ${markdownCode(edit.field)} ${String(edit.before)} → ${String(edit.after)}`,
    );
  if (edits.length > MAX_SHOWN) items.push(`- … ${pluralize(edits.length - MAX_SHOWN, 'more')} not shown.`);
  return [`### ${STATE_ONLY_TITLE}`, `${escapeMarkdownText(describeCount(edits))}:\n\n${items.join('\n')}`];
}
