/**
 * Where a state lives, as users write it: `--state` (a path, `s3://BUCKET/KEY`,
 * `git::REMOTE#REF`) or the config's `state:` block. Pure: parsing and naming
 * only; src/workflow/state-backend.ts turns a location into a backend.
 */
import type { BackendKind } from './backend.js';

export const DEFAULT_GIT_REF = 'refs/workato-oauth/state';
/** The remote a git state uses when none is named: the config repository's `origin`. */
export const DEFAULT_GIT_REMOTE = 'origin';

export type StateLocation =
  | { kind: 'local'; path: string }
  /** `remote`: a remote name of the config's repository, a URL, or a path to a repository. */
  | { kind: 'git'; remote: string; ref: string }
  | { kind: 's3'; bucket: string; key: string; region?: string; endpoint?: string };

/** What a user may write in the config's `state:` block. */
export interface StateSettings {
  location?: StateLocation;
  /** How long a lock may go without a refresh before another run may take it over. */
  lockStaleMs?: number;
}

export class LocationError extends Error {}

/** `--state` as given: a path unless it is `s3://...` or `git::...`. */
export function parseStateOption(text: string): StateLocation {
  if (text.startsWith('s3://')) {
    const rest = text.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? '' : rest.slice(slash + 1);
    if (bucket === '' || key === '') {
      throw new LocationError(
        `--state ${text}: an s3 state is s3://BUCKET/KEY, e.g. s3://my-bucket/workato-oauth.state.json`,
      );
    }
    return { kind: 's3', bucket, key };
  }
  if (text.startsWith('git::')) {
    const rest = text.slice('git::'.length);
    const hash = rest.lastIndexOf('#');
    const remote = (hash < 0 ? rest : rest.slice(0, hash)) || DEFAULT_GIT_REMOTE;
    const ref = hash < 0 ? DEFAULT_GIT_REF : rest.slice(hash + 1);
    checkGitRef(ref, `--state ${redactUrl(text)}`);
    return { kind: 'git', remote, ref };
  }
  if (text.trim() === '') throw new LocationError('--state must not be empty');
  return { kind: 'local', path: text };
}

/** A ref the git backend may own: under refs/, not a branch or a tag, valid as git spells refs. */
export function checkGitRef(ref: string, label: string): void {
  const valid =
    /^refs\/[A-Za-z0-9._/-]+$/.test(ref) &&
    !ref.split('/').some((part) => part === '' || part.startsWith('.') || part.endsWith('.lock')) &&
    !ref.includes('..');
  if (!valid) {
    throw new LocationError(
      `${label}: the ref must be a full ref name such as ${DEFAULT_GIT_REF}, not "${ref}"`,
    );
  }
  if (ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/')) {
    throw new LocationError(
      `${label}: the state ref must not be a branch or a tag (${ref}); use a ref of its own such as ${DEFAULT_GIT_REF}`,
    );
  }
}

/** `user:password@` (or a token) removed from a URL: a location is printed, and lands in plan files. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

/** The location as `--state` would take it; never holds a credential. */
export function describeLocation(location: StateLocation): string {
  switch (location.kind) {
    case 'local':
      return location.path;
    case 'git':
      return `git::${redactUrl(location.remote)}#${location.ref}`;
    case 's3':
      return `s3://${location.bucket}/${location.key}`;
  }
}

/** The `state:` block of a config, as a user would write it for `location`. */
export function describeSettingsBlock(location: StateLocation): string[] {
  switch (location.kind) {
    case 'local':
      return ['state:', '  backend: local', `  path: ${location.path}`];
    case 'git':
      return [
        'state:',
        '  backend: git',
        `  remote: ${redactUrl(location.remote)}`,
        `  ref: ${location.ref}`,
      ];
    case 's3':
      return [
        'state:',
        '  backend: s3',
        `  bucket: ${location.bucket}`,
        `  key: ${location.key}`,
        ...(location.region ? [`  region: ${location.region}`] : []),
        ...(location.endpoint ? [`  endpoint: ${location.endpoint}`] : []),
      ];
  }
}

export function kindOf(location: StateLocation): BackendKind {
  return location.kind;
}

/** `30s`, `10m`, `1h` or a number of seconds, as milliseconds; undefined when it is none of those. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] === 'h' ? 3_600_000 : match[2] === 'm' ? 60_000 : 1000;
  return amount > 0 ? amount * unit : undefined;
}
