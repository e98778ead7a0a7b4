/**
 * The state file's structure, by schemas/state.schema.json, compiled ahead of
 * time (scripts/compile-schemas.mjs). This module turns ajv's errors into one line per bad field, named by its
 * path in the file (`profiles["Acme"].id must be integer`).
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { didYouMean } from '../suggest.js';
import { validate } from './schema-validator.generated.js';

/** Resolves from src/state (tests) and from dist/state (the built CLI) alike. */
export const STATE_SCHEMA_URL = new URL('../../schemas/state.schema.json', import.meta.url);

/** Every schema violation in a parsed state file, one `<path> <message>` line per bad field. */
export function checkStateSchema(data: unknown): string[] {
  if (validate(data)) return [];
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    // propertyNames reports the name's own failure too; its own error says it all.
    if (error.propertyName !== undefined && error.keyword !== 'propertyNames') continue;
    const [path, message] = describeError(error);
    // One line per field: an id of 1.5 breaks `integer` and nothing else is worth saying.
    if (seen.has(path)) continue;
    seen.add(path);
    lines.push(`${path} ${message}`);
  }
  return lines;
}

function describeError(error: ErrorObject): [path: string, message: string] {
  const path = pointerToSegments(error.instancePath);
  switch (error.keyword) {
    case 'required':
      return [formatStatePath([...path, String(error.params['missingProperty'])]), 'is missing'];
    case 'additionalProperties': {
      const field = String(error.params['additionalProperty']);
      const properties = error.parentSchema?.['properties'];
      const allowed = properties && typeof properties === 'object' ? Object.keys(properties) : [];
      return [formatStatePath([...path, field]), `is not a known field${didYouMean(field, allowed)}`];
    }
    case 'propertyNames':
      return [
        formatStatePath([...path, String(error.params['propertyName'])]),
        'is not a customer key (E:<external id> or a numeric customer id)',
      ];
    default:
      return [formatStatePath(path), describeValueError(error)];
  }
}

function describeValueError(error: ErrorObject): string {
  switch (error.keyword) {
    case 'type':
      return `must be ${String(error.params['type'])}`;
    case 'minimum':
      return error.params['limit'] === 1 ? 'must be a positive integer' : 'must not be negative';
    case 'maximum':
      return `must be at most ${String(error.params['limit'])}`;
    case 'minLength':
      return 'must not be empty';
    case 'uniqueItems': {
      const items = error.data as unknown[];
      const repeated = items[Number(error.params['i'])];
      return `lists ${JSON.stringify(repeated)} more than once`;
    }
    case 'pattern':
      // Never echo the value: a fingerprint is not a secret, but it is not for logs either.
      if (error.schemaPath.startsWith('#/$defs/fingerprint/'))
        return 'is not a fingerprint this tool writes (expected scrypt$16384$8$1$<salt>$<hash>)';
      return `must match ${String(error.params['pattern'])}`;
    case 'const':
      return `must be ${JSON.stringify(error.params['allowedValue'])}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** ajv's instancePath (a JSON pointer) as segments. */
function pointerToSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `profiles["Acme"].id`, `customers["E:A2300"].profiles[1]`: the keys of the two
 * maps a user names things in are always quoted, list indexes are bare numbers.
 */
export function formatStatePath(segments: readonly string[]): string {
  if (segments.length === 0) return 'the state';
  let text = '';
  segments.forEach((segment, i) => {
    const isMapKey = i === 1 && (segments[0] === 'profiles' || segments[0] === 'customers');
    const isIndex = i === 3 && segments[0] === 'customers' && segments[2] === 'profiles';
    if (isIndex) text += `[${segment}]`;
    else if (!isMapKey && IDENTIFIER.test(segment)) text += i === 0 ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  });
  return text;
}
