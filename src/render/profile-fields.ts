/**
 * A profile change as rows of fields, each with what it was and what it becomes.
 * The text renderer shows the rows Terraform-style (`~ client_id = "a" -> "b"`); the
 * markdown renderer turns both sides into text and diffs them. Secrets are shown only
 * as phrases about them. A refused change shows what it would do: the reason is shown
 * beside it, and nothing is applied while any refusal stands.
 */
import { type ProfileChange, type ProfileView, type SecretRefs, UNKNOWN } from '../plan/types.js';
import { quote } from './escape.js';

export type FieldName = 'id' | keyof ProfileView;
export type FieldMark = 'same' | 'added' | 'removed' | 'changed';

export interface FieldRow {
  field: FieldName;
  mark: FieldMark;
  /** Display text of the value before the change; absent when there is none. */
  before?: string;
  /** Display text of the value after the change; absent when there is none. */
  after?: string;
  secret: boolean;
  /** Why the field matters, e.g. `forces replacement`. */
  note?: string;
}

const VIEW_FIELDS = ['name', 'provider', 'client_id', 'client_secret', 'token'] as const;
type SecretField = keyof SecretRefs;

function isSecretField(field: keyof ProfileView): field is SecretField {
  return field === 'client_secret' || field === 'token';
}

/**
 * Whatever a view holds in a secret field is shown as a phrase: the plan is meant to
 * hold only markers, and if a bug ever put a value there it still must not be printed.
 */
function describeLiveSecret(marker: string): string {
  return marker === UNKNOWN ? '(unknown value)' : '(sensitive value)';
}

function describeUnsetSecret(change: ProfileChange, field: SecretField): string {
  const ref = change.secretRefs?.[field];
  return ref === undefined
    ? '(known after apply: its variable is not set)'
    : `(known after apply: $${ref} is not set)`;
}

/** A secret re-sent after a change outside the tool whose variable is unset now. */
function describeUnknownResent(change: ProfileChange, field: SecretField): string {
  const ref = change.secretRefs?.[field];
  return ref === undefined
    ? '(unknown until apply: its variable is not set; re-sent)'
    : `(unknown until apply: $${ref} is not set; re-sent)`;
}

function isUnknownSecret(change: ProfileChange, field: SecretField): boolean {
  return (change.unknown ?? []).includes(field) || change.after?.[field] === UNKNOWN;
}

function describeIdRow(change: ProfileChange): FieldRow | undefined {
  if (change.id === undefined) return undefined;
  const id = String(change.id);
  if (change.action === 'delete') return { field: 'id', mark: 'removed', before: id, secret: false };
  if (change.action === 'replace') {
    // An interrupted apply already made the new profile: it is re-used, so its id is known.
    const after = change.replacementId === undefined ? '(known after apply)' : String(change.replacementId);
    return { field: 'id', mark: 'changed', before: id, after, secret: false };
  }
  return { field: 'id', mark: 'same', before: id, after: id, secret: false };
}

function describeSecretRow(change: ProfileChange, field: SecretField): FieldRow | undefined {
  const was = change.before?.[field];
  const will = change.after?.[field];
  const before = was === undefined ? undefined : describeLiveSecret(was);
  if (will === undefined) {
    return before === undefined ? undefined : { field, mark: 'removed', before, secret: true };
  }
  const listed = (change.changed ?? []).includes(field);
  // Modified outside the tool: the config's secrets are sent again, changed or not.
  const resent = change.drift !== undefined && listed;
  if (isUnknownSecret(change, field)) {
    const after = resent ? describeUnknownResent(change, field) : describeUnsetSecret(change, field);
    return { field, mark: before === undefined ? 'added' : 'changed', before, after, secret: true };
  }
  if (before === undefined) return { field, mark: 'added', after: '(sensitive value)', secret: true };
  if (resent) return { field, mark: 'changed', before, after: '(sensitive value, re-sent)', secret: true };
  if (listed) {
    return { field, mark: 'changed', before, after: '(sensitive value changed)', secret: true };
  }
  return { field, mark: 'same', before, after: before, secret: true };
}

function describePlainRow(
  change: ProfileChange,
  field: Exclude<keyof ProfileView, SecretField>,
): FieldRow | undefined {
  const was = change.before?.[field];
  const will = change.after?.[field];
  const before = was === undefined ? undefined : quote(was);
  const after = will === undefined ? undefined : quote(will);
  if (before === undefined && after === undefined) return undefined;
  if (before === undefined) return { field, mark: 'added', after, secret: false };
  if (after === undefined) return { field, mark: 'removed', before, secret: false };
  if (was === will) return { field, mark: 'same', before, after, secret: false };
  // Workato assigns one profile per provider, so a new provider is a new profile.
  let note: string | undefined;
  if (change.action === 'replace' && field === 'provider') note = 'forces replacement';
  if (change.action === 'update' && field === 'name') note = 'renamed in place';
  return { field, mark: 'changed', before, after, secret: false, ...(note ? { note } : {}) };
}

/** The rows of a profile change, in a fixed order: id, name, provider, client_id, client_secret, token. */
export function describeProfileFields(change: ProfileChange): FieldRow[] {
  if (change.action === 'create' || change.action === 'delete') {
    // Only one side exists: every row is added (create) or removed (delete).
    const creating = change.action === 'create';
    const rows: FieldRow[] = [];
    const id = describeIdRow(change);
    if (id) rows.push(id);
    for (const field of VIEW_FIELDS) {
      const value = (creating ? change.after : change.before)?.[field];
      if (value === undefined) continue;
      let text: string;
      if (!isSecretField(field)) text = quote(value);
      else if (creating && isUnknownSecret(change, field)) text = describeUnsetSecret(change, field);
      else text = describeLiveSecret(value);
      const secret = isSecretField(field);
      rows.push(
        creating
          ? { field, mark: 'added', after: text, secret }
          : { field, mark: 'removed', before: text, secret },
      );
    }
    return rows;
  }
  const rows: FieldRow[] = [];
  const id = describeIdRow(change);
  if (id) rows.push(id);
  for (const field of VIEW_FIELDS) {
    const row = isSecretField(field) ? describeSecretRow(change, field) : describePlainRow(change, field);
    if (row) rows.push(row);
  }
  return rows;
}
