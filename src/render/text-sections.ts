/** The text plan's closing sections: drift, profiles left alone, warnings, refusals. */
import type { DriftFinding, Refusal, UnmanagedProfile, Warning } from '../plan/types.js';
import { quote, revealHidden } from './escape.js';
import { pluralize } from './numbers.js';
import type { Paint } from './paint.js';
import { refusalAddress } from './phrases.js';

export function renderUnmanaged(unmanaged: readonly UnmanagedProfile[]): string[] {
  if (unmanaged.length === 0) return [];
  const duplicates = unmanaged.some((profile) => profile.duplicateOf !== undefined);
  const which = duplicates
    ? "that the configuration does not list, or that share a managed profile's name"
    : 'that the configuration does not list';
  return [
    '',
    `Not managed, left alone: ${pluralize(unmanaged.length, 'profile')} in the workspace ${which}:`,
    ...unmanaged.map((profile) => {
      const line = `    id ${profile.id} ${quote(profile.name)} (provider ${quote(profile.provider)})`;
      return profile.duplicateOf === undefined
        ? line
        : `${line}: another profile named ${quote(profile.duplicateOf)}; left alone`;
    }),
  ];
}

export function renderDrift(drift: readonly DriftFinding[], paint: Paint): string[] {
  if (drift.length === 0) return [];
  return [
    '',
    `${paint('yellow', paint('bold', 'Drift:'))} ${pluralize(drift.length, 'change')} made outside workato-oauth that this plan does not repair:`,
    ...drift.flatMap((finding) => [
      `  ${revealHidden(finding.address)}: ${revealHidden(finding.message)} (${revealHidden(finding.code)})`,
      `      repair: ${revealHidden(finding.repair)}`,
    ]),
  ];
}

export function renderWarnings(warnings: readonly Warning[], paint: Paint): string[] {
  return warnings.flatMap((warning) => [
    '',
    `${paint('yellow', paint('bold', 'Warning'))} (${revealHidden(warning.code)}): ${revealHidden(warning.message)}`,
  ]);
}

/** Last, where a CI log is read first: every reason apply will not run. */
export function renderRefusals(refusals: readonly Refusal[], paint: Paint): string[] {
  if (refusals.length === 0) return [];
  return [
    '',
    paint('red', paint('bold', 'Apply is refused:')),
    ...refusals.map((refusal) => {
      const address = refusalAddress(refusal);
      const where = address === undefined ? '' : `${revealHidden(address)}: `;
      return `  ${where}${revealHidden(refusal.message)} (${revealHidden(refusal.code)})`;
    }),
  ];
}
