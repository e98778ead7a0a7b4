/**
 * The secrets policy: `client_secret` and `token` are always one `${NAME}`
 * reference, never a value written in the file (the file lives in git). Messages
 * about them never quote what the field holds: it may be the secret itself.
 */

import { isRecord } from '../json.js';
import type { Path } from './document.js';
import { containsReference, type Env, parseSingleReference } from './interpolate.js';
import { SECRET_FIELDS, type SecretValue } from './types.js';

/** `profiles.<name>.client_secret` and `profiles.<name>.token`: left uninterpolated until normalisation. */
export function isSecretPath(path: Path): boolean {
  return (
    path.length === 3 &&
    path[0] === 'profiles' &&
    (SECRET_FIELDS as readonly string[]).includes(String(path[2]))
  );
}

/**
 * What a secret field should be rewritten to. Named after the provider when only one
 * profile uses it (HUBSPOT_CLIENT_SECRET), else after the profile, so the
 * suggestion is never shared by two profiles.
 */
export function suggestVariable(config: unknown, profileName: string, field: string): string {
  const profiles = isRecord(config) && isRecord(config['profiles']) ? config['profiles'] : {};
  const provider = providerOf(profiles[profileName]);
  const sameProvider = Object.values(profiles).filter((p) => providerOf(p) === provider).length;
  const stem = provider !== undefined && sameProvider === 1 ? provider : profileName;
  const suffix = field === 'token' ? 'APP_TOKEN' : field.toUpperCase();
  return `${toVariableName(stem)}_${suffix}`;
}

/** Why the field's value is refused, and how to fix it; never includes the value. */
export function describeBadSecret(field: string, value: unknown, variable: string): string {
  const fix = `e.g. ${variable}, and write ${field}: \${${variable}}`;
  if (value === null || value === '') {
    return `${field} is empty: put the secret in an environment variable, ${fix}`;
  }
  if (typeof value === 'string' && containsReference(value)) {
    if (/^\$\{[^}]*\}$/.test(value)) {
      return `${field} is not a valid \${VAR} reference (a name has letters, digits and underscores and does not start with a digit): put the value in an environment variable, ${fix}`;
    }
    return `${field} must be exactly one \${VAR} reference with nothing around it: put the whole secret in an environment variable, ${fix}`;
  }
  return `${field} must be a \${VAR} reference, not a literal: put the value in an environment variable, ${fix}`;
}

/**
 * An unset variable makes the secret unknown rather than an error, so `plan` runs
 * in a pull request that has no secrets; `apply` refuses unknown secrets. A
 * variable set to the empty string counts as unset too: GitHub Actions expands a
 * secret a workflow cannot read (a pull request from a fork) to '', and an empty
 * secret is never right for Workato, so it must not reach apply as a value.
 */
export function resolveSecret(reference: string, env: Env): SecretValue {
  const ref = parseSingleReference(reference) ?? reference;
  const value = env[ref];
  return value === undefined || value === '' ? { known: false, ref } : { known: true, ref, value };
}

function toVariableName(text: string): string {
  const name = text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (name === '') return 'PROFILE';
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function providerOf(profile: unknown): string | undefined {
  return isRecord(profile) && typeof profile['provider'] === 'string' ? profile['provider'] : undefined;
}
