/**
 * Structure and types, by schemas/workato-oauth.schema.json: the same file that
 * editors use through the `# yaml-language-server: $schema=` line, compiled ahead
 * of time (scripts/compile-schemas.mjs). This module turns ajv's errors into
 * messages a user can act on.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Problem } from '../errors.js';
import { isRecord } from '../json.js';
import { didYouMean, suggestClosest } from '../suggest.js';
import type { Path, SourceIndex } from './document.js';
import { validate } from './schema-validator.generated.js';
import { describeBadSecret, isSecretPath, suggestVariable } from './secrets.js';

/** Resolves from src/config (tests) and from dist/config (the built CLI) alike. */
export const SCHEMA_URL = new URL('../../schemas/workato-oauth.schema.json', import.meta.url);

/** Every schema violation in `config`, positioned through `source`. */
export function checkSchema(config: unknown, source: SourceIndex): Problem[] {
  if (validate(config)) return [];
  const errors = (validate.errors ?? []).filter(isReported);

  // A typo'd field is reported once, as "unknown field (did you mean ...?)", not
  // a second time as the field it was meant to be going missing.
  const misspelt = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'additionalProperties') continue;
    const suggestion = suggestClosest(String(error.params['additionalProperty']), allowedFields(error));
    if (suggestion !== undefined) misspelt.add(`${error.instancePath}\0${suggestion}`);
  }

  const problems: Problem[] = [];
  const secretsSeen = new Set<string>();
  for (const error of errors) {
    const path = pointerToPath(error.instancePath, config);
    if (isSecretPath(path) && ['type', 'pattern', 'minLength'].includes(error.keyword)) {
      // One message per secret field, whichever of its rules failed first.
      const key = error.instancePath;
      if (secretsSeen.has(key)) continue;
      secretsSeen.add(key);
      const field = String(path[2]);
      const variable = suggestVariable(config, String(path[1]), field);
      problems.push(source.problem('error', path, describeBadSecret(field, error.data, variable)));
      continue;
    }
    switch (error.keyword) {
      case 'additionalProperties': {
        const field = String(error.params['additionalProperty']);
        const allowed = allowedFields(error);
        const hint = didYouMean(field, allowed) || ` (allowed: ${allowed.join(', ')})`;
        problems.push(source.problem('error', [...path, field], `unknown field '${field}'${hint}`, 'key'));
        break;
      }
      case 'required': {
        const field = String(error.params['missingProperty']);
        if (misspelt.has(`${error.instancePath}\0${field}`)) break;
        let message = `missing required field '${field}'`;
        if (field === 'client_secret' && path.length === 2) {
          const variable = suggestVariable(config, String(path[1]), field);
          message += ` (write client_secret: \${${variable}})`;
        }
        problems.push(source.problem('error', [...path, field], message));
        break;
      }
      case 'propertyNames': {
        const name = String(error.params['propertyName']);
        problems.push(source.problem('error', [...path, name], 'profile name must not be blank', 'key'));
        break;
      }
      case 'oneOf':
        problems.push(source.problem('error', path, describeOneOf(error)));
        break;
      default:
        problems.push(source.problem('error', path, describeValueError(error, path, source)));
    }
  }
  return problems;
}

/**
 * Drops ajv's noise: the branches of a oneOf (its own error says it all), a oneOf
 * on a value that is not even a map, the
 * inner errors of propertyNames, and uniqueItems, which reports only one repeat
 * per list (the rules report each one, with the line of the first).
 */
function isReported(error: ErrorObject): boolean {
  if (error.schemaPath.includes('/oneOf/')) return false;
  // customers required unless customers_from: the `required` inside says it all.
  if (error.keyword === 'if') return false;
  // `required` holds for anything but a map: on a list or a scalar, the type error says it all.
  if (error.keyword === 'oneOf' && !isRecord(error.data)) return false;
  if (error.propertyName !== undefined && error.keyword !== 'propertyNames') return false;
  return error.keyword !== 'uniqueItems';
}

function describeOneOf(error: ErrorObject): string {
  const branches = (error.parentSchema?.['oneOf'] ?? []) as { required?: string[] }[];
  const fields = branches.flatMap((branch) => branch.required ?? []);
  const present = isRecord(error.data) ? fields.filter((f) => f in (error.data as object)) : [];
  const found =
    present.length === 0
      ? 'found neither'
      : present.length === 2
        ? 'found both'
        : `found ${present.join(', ')}`;
  return `exactly one of ${fields.join(' or ')} is required (${found})`;
}

function describeValueError(error: ErrorObject, path: Path, source: SourceIndex): string {
  const field = lastField(path);
  const data: unknown = error.data;
  switch (error.keyword) {
    case 'type':
      return describeType(String(error.params['type']), data, field, source.raw(path) ?? String(data));
    case 'enum': {
      const allowed = (error.params['allowedValues'] as unknown[]).map(String);
      const shown =
        typeof data === 'object' && data !== null
          ? Array.isArray(data)
            ? 'a list'
            : 'a map'
          : `'${String(data)}'`;
      const what = field === 'data_center' ? `unknown data center ${shown}` : shown;
      return `${what}${didYouMean(String(data), allowed)}: expected one of ${allowed.join(', ')}`;
    }
    case 'const': {
      const expected = JSON.stringify(error.params['allowedValue']);
      if (field === 'version') {
        return typeof data === 'string'
          ? `version must be the number ${expected}, not a string`
          : `unsupported version ${JSON.stringify(data)}: this tool reads version ${expected}`;
      }
      return `must be ${expected}`;
    }
    case 'minimum':
      return `expected a positive integer, got ${String(data)}`;
    case 'minLength':
      return field === undefined ? 'must not be empty' : `${field} must not be empty`;
    case 'pattern':
      if (field === 'api_url')
        return `api_url must be an http:// or https:// URL, e.g. https://www.workato.com`;
      if (error.params['pattern'] === '\\S') return `${field ?? 'value'} must not be blank`;
      return `${field ?? 'value'} must match ${String(error.params['pattern'])}`;
    default:
      return error.message ?? error.keyword;
  }
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a map (key: value lines)',
  array: "a list (items start with '- ')",
  string: 'a string',
  integer: 'a positive integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing',
};

function describeType(expected: string, data: unknown, field: string | undefined, raw: string): string {
  const want = TYPE_NAMES[expected] ?? expected;
  if (data === null) return `${field ?? 'entry'} is empty: expected ${want}`;
  if (expected === 'string' && (typeof data === 'number' || typeof data === 'boolean')) {
    const quoted = JSON.stringify(raw);
    const fix = field === undefined ? `: ${quoted}` : `, ${field}: ${quoted}`;
    const reads = raw === String(data) ? `as a ${typeof data}` : `as the ${typeof data} ${String(data)}`;
    return `expected a string, but YAML reads ${raw} ${reads}: quote it${fix}`;
  }
  if (expected === 'integer' && typeof data === 'string') {
    if (/^\s*[0-9]+\s*$/.test(data))
      return `expected a number, got a string: write ${field}: ${data.trim()} without quotes`;
    if (field === 'id') {
      return `id is Workato's numeric customer id; for your own id of the customer write external_id: ${JSON.stringify(data)}`;
    }
  }
  if (expected === 'integer' && typeof data === 'number') return `expected a positive integer, got ${data}`;
  if (expected === 'boolean' && typeof data === 'string') return `expected true or false, got '${data}'`;
  return `expected ${want}, got ${describeKind(data)}`;
}

function describeKind(data: unknown): string {
  if (Array.isArray(data)) return 'a list';
  if (isRecord(data)) return 'a map';
  if (typeof data === 'string') return 'a string';
  if (typeof data === 'boolean') return `${data}`;
  return typeof data === 'number' ? `the number ${data}` : typeof data;
}

function allowedFields(error: ErrorObject): string[] {
  const properties = error.parentSchema?.['properties'];
  return isRecord(properties) ? Object.keys(properties) : [];
}

function lastField(path: Path): string | undefined {
  const last = path[path.length - 1];
  return typeof last === 'string' ? last : undefined;
}

/** ajv's instancePath (a JSON pointer) as path segments; list indexes become numbers. */
function pointerToPath(pointer: string, config: unknown): Path {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node: unknown = config;
  for (const escaped of pointer.slice(1).split('/')) {
    const segment = escaped.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) {
      const index = Number(segment);
      path.push(index);
      node = node[index];
    } else {
      path.push(segment);
      node = isRecord(node) ? node[segment] : undefined;
    }
  }
  return path;
}
