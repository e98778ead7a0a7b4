/**
 * `customers_from: [customers/*.yaml]`: customer entries kept in files of their
 * own (generated, at the scale of thousands), each a YAML list of entries with the
 * same schema as the config's `customers`. Patterns are relative to the config
 * file (src/config/glob.ts says what they may hold); files are read in pattern
 * order, each pattern's files sorted, a file named twice read once, and their
 * customers come after the config's own. Every problem points at its own file,
 * line and column. A pattern that matches no file is an error: a list that went
 * missing would otherwise unassign every customer it held.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Problem } from '../errors.js';
import { isRecord } from '../json.js';
import { formatPath, type ReadResult, readDocument, type SourceIndex } from './document.js';
import { expandGlob } from './glob.js';
import { type Env, interpolate } from './interpolate.js';
import type { ConfigResult } from './load.js';
import { normalizeConfig } from './normalize.js';
import { sortProblems } from './problems.js';
import { checkRules } from './rules.js';
import { checkSchema } from './schema.js';
import type { DesiredCustomer } from './types.js';

export interface CustomerFileRead {
  /** Relative to the config's folder, `/`-separated: the same wherever the checkout lives. */
  readonly name: string;
  readonly text: string;
}

export interface ConfigLocation {
  /** Absolute path of the config file. */
  readonly path: string;
  /** The config file as the user named it: customer files are labelled beside it. */
  readonly label: string;
  readonly env: Env;
}

/**
 * The config's own result with the customers of its `customers_from` files added
 * (or their problems, after the config's own), and the files read, for the digest.
 */
export async function addCustomersFrom(
  result: ConfigResult,
  config: ConfigLocation,
): Promise<{ result: ConfigResult; files: CustomerFileRead[] }> {
  const document = result.document;
  const patterns = document && isRecord(document.value) ? document.value['customers_from'] : undefined;
  if (!document || patterns === undefined) return { result: withoutDocument(result), files: [] };
  const loaded = await loadCustomerFiles(document, patterns, config);
  const problems = [...sortProblems([...result.problems, ...loaded.configProblems]), ...loaded.fileProblems];
  const valid = result.desired && loaded.customers && !problems.some((p) => p.severity === 'error');
  if (!valid || !result.desired || !loaded.customers) return { result: { problems }, files: loaded.files };
  const customers = [...result.desired.customers];
  for (const customer of loaded.customers) customers.push(customer);
  return { result: { desired: { ...result.desired, customers }, problems }, files: loaded.files };
}

/** sha256 of the config's text and of every customer file read, by name: a saved plan goes stale when any moves. */
export function configDigest(text: string, files: readonly CustomerFileRead[]): string {
  const hash = createHash('sha256').update(text);
  for (const file of files) hash.update(`\0${file.name}\0`).update(file.text);
  return `sha256:${hash.digest('hex')}`;
}

function withoutDocument(result: ConfigResult): ConfigResult {
  return result.desired
    ? { desired: result.desired, problems: result.problems }
    : { problems: result.problems };
}

interface Loaded {
  configProblems: Problem[];
  fileProblems: Problem[];
  /** Undefined when a file has an error. */
  customers: DesiredCustomer[] | undefined;
  files: CustomerFileRead[];
}

async function loadCustomerFiles(
  document: ReadResult,
  patterns: unknown,
  config: ConfigLocation,
): Promise<Loaded> {
  const loaded: Loaded = { configProblems: [], fileProblems: [], customers: [], files: [] };
  // Not a list of strings: the schema says so, at the config's line.
  if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string' && p.trim() !== '')) {
    return { ...loaded, customers: undefined };
  }
  const folder = dirname(config.path);
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const [i, pattern] of (patterns as string[]).entries()) {
    // An unset ${VAR} in it is reported already.
    if (document.refused.has(formatPath(['customers_from', i]))) continue;
    const matched = await expandGlob(pattern, folder);
    if (matched.length === 0) {
      loaded.configProblems.push(
        document.source.problem(
          'error',
          ['customers_from', i],
          `'${pattern}' matches no file (relative to ${config.label}'s folder); a customer list that went missing would unassign all its customers, so name files that exist`,
        ),
      );
    }
    for (const path of matched) {
      if (seen.has(path) || path === resolve(config.path)) continue;
      seen.add(path);
      paths.push(path);
    }
  }

  const profiles = isRecord(document.value) ? document.value['profiles'] : undefined;
  const identities = new Identities();
  collectIdentities(identities, document.value, document.source, config.label);
  for (const path of paths) {
    const name = relative(folder, path).split('\\').join('/');
    const label = join(dirname(config.label), name);
    const file = await readCustomerFile(path, label, profiles, config.env);
    loaded.files.push({ name, text: file.text });
    const duplicates = file.entries ? collectIdentities(identities, file.entries, file.source!, label) : [];
    // A loop, not push(...): a generated file may hold more problems than a call's arguments.
    for (const problem of sortProblems([...file.problems, ...duplicates])) loaded.fileProblems.push(problem);
    if (file.customers && !file.problems.some((p) => p.severity === 'error') && duplicates.length === 0) {
      for (const customer of file.customers) loaded.customers?.push(customer);
    } else {
      loaded.customers = undefined;
    }
  }
  return loaded;
}

interface CustomerFile {
  text: string;
  problems: Problem[];
  /** The entries as read, when the file is a list. */
  entries?: unknown[];
  /** Positions with paths starting at `customers`. */
  source?: SourceIndex;
  /** Present when the file has no error. */
  customers?: DesiredCustomer[];
}

async function readCustomerFile(
  path: string,
  label: string,
  profiles: unknown,
  env: Env,
): Promise<CustomerFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
    return {
      text: '',
      problems: [
        { severity: 'error', file: label, line: 0, col: 0, path: '', message: `cannot read: ${reason}` },
      ],
    };
  }
  const read = readDocument(text, label, (value) => {
    const result = interpolate(value, env);
    return result.ok ? result.value : { error: result.message };
  });
  const problems = [...read.problems];
  if (!read.readable) return { text, problems };
  const entries = read.value;
  if (!Array.isArray(entries)) {
    const found =
      entries === null || entries === undefined
        ? 'an empty file'
        : isRecord(entries)
          ? 'a map'
          : 'a single value';
    // The likeliest slip: the list written under a `customers:` key, as in the config.
    const hint =
      isRecord(entries) && 'customers' in entries ? '; write the entries without the customers: key' : '';
    problems.push(
      read.source.problem(
        'error',
        [],
        `expected a list of customer entries (- external_id: ... / profiles: [...]) at the top of the file, found ${found}${hint}`,
      ),
    );
    return { text, problems };
  }
  // Checked as the `customers` of a config with the main file's profiles: the same schema and rules.
  const source = read.source.nestedUnder('customers');
  const config = { version: 1, profiles: isRecord(profiles) ? profiles : {}, customers: entries };
  for (const problem of [...checkSchema(config, source), ...checkRules(config, source)]) {
    if (problem.path !== 'customers' && !problem.path.startsWith('customers[')) continue;
    // Paths, and entries named in messages, as the file has them: `[3]`, not `customers[3]`.
    const path = problem.path.slice('customers'.length);
    const message = problem.message.replace(/\bcustomers(\[\d+\])/g, '$1');
    if (!read.refused.has(path)) problems.push({ ...problem, path, message });
  }
  if (problems.some((p) => p.severity === 'error')) return { text, problems, entries, source };
  const customers = normalizeConfig({ profiles: {}, customers: entries }, source, env).customers;
  return { text, problems, entries, source, customers: [...customers] };
}

/** Which config entry named each customer first, across the config and its files. */
class Identities {
  readonly #first = new Map<string, { label: string; line: number }>();

  /** Records the entry; a problem when another file named the customer first (one file's repeats are the rules'). */
  see(key: string, label: string, line: number): { label: string; line: number } | undefined {
    const first = this.#first.get(key);
    if (first === undefined) this.#first.set(key, { label, line });
    return first !== undefined && first.label !== label ? first : undefined;
  }
}

/** Adds `entries` (the config's `customers`, or a file's list) to `identities`; problems for repeats across files. */
function collectIdentities(
  identities: Identities,
  entries: unknown,
  source: SourceIndex,
  label: string,
): Problem[] {
  // The config itself: its `customers`, positioned at `customers[i]` in its own index.
  const list = Array.isArray(entries) ? entries : isRecord(entries) ? entries['customers'] : undefined;
  if (!Array.isArray(list)) return [];
  const problems: Problem[] = [];
  list.forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const id = entry['id'];
    const externalId = entry['external_id'];
    const field = typeof id === 'number' ? 'id' : typeof externalId === 'string' ? 'external_id' : undefined;
    if (field === undefined || (id !== undefined && externalId !== undefined)) return;
    const key = field === 'id' ? `id:${id}` : `E:${externalId}`;
    const path = ['customers', i, field];
    const first = identities.see(key, label, source.position(path).line);
    if (first === undefined) return;
    const shown = field === 'id' ? String(id) : `'${externalId}'`;
    const problem = source.problem(
      'error',
      path,
      `customer ${field} ${shown} is listed twice (first at ${first.label}:${first.line}): merge the two entries`,
    );
    problems.push({
      ...problem,
      path: Array.isArray(entries) ? problem.path.slice('customers'.length) : problem.path,
    });
  });
  return problems;
}
