/**
 * The config's `state:` block (docs/state.md), read on its own: drift and the
 * state commands need only this block, not a config whose secrets are set, and
 * a config that does not exist simply has none. Each problem is one line with
 * the file, line and column.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Node } from 'yaml';
import { interpolate } from '../config/interpolate.js';
import { sortProblems } from '../config/problems.js';
import { yamlLib } from '../config/yaml-lib.js';
import { ConfigError, type Problem } from '../errors.js';
import {
  checkGitRef,
  DEFAULT_GIT_REF,
  DEFAULT_GIT_REMOTE,
  LocationError,
  parseDuration,
  type StateSettings,
} from '../state/location.js';

const FIELDS: Record<string, 'local' | 'git' | 's3' | 'any'> = {
  backend: 'any',
  lock_stale: 'any',
  path: 'local',
  remote: 'git',
  ref: 'git',
  bucket: 's3',
  key: 's3',
  region: 's3',
  endpoint: 's3',
};

/** The `state:` block of the config at `configPath` (absolute); no block, or no file: no settings. */
export async function readStateSettings(
  configPath: string,
  env: Readonly<Record<string, string | undefined>>,
  label = configPath,
): Promise<StateSettings> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    return {}; // No config (drift, state list) or an unreadable one, which the config loader reports.
  }
  // Cheap before the yaml library: most configs have no state block.
  if (!/^state\s*:/m.test(text)) return {};
  return parseStateSettings(text, configPath, env, label);
}

export function parseStateSettings(
  text: string,
  configPath: string,
  env: Readonly<Record<string, string | undefined>>,
  label = configPath,
): StateSettings {
  const yaml = yamlLib();
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0 || !yaml.isMap(doc.contents)) return {}; // The config loader reports it.
  const block = doc.contents.get('state', true) as Node | undefined;
  if (block === undefined || block === null) return {};
  const problems: Problem[] = [];
  const problem = (node: Node | undefined, field: string, message: string) => {
    const { line, col } = node?.range ? lines.linePos(node.range[0]) : { line: 0, col: 0 };
    problems.push({
      severity: 'error',
      file: label,
      line,
      col,
      path: `state${field ? `.${field}` : ''}`,
      message,
    });
  };
  if (!yaml.isMap(block)) {
    problem(block, '', 'state must be a mapping such as {backend: git}');
    throw new ConfigError(problems);
  }
  const values: Record<string, string | number> = {};
  const nodes: Record<string, Node | undefined> = {};
  for (const pair of block.items) {
    const key = yaml.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const node = pair.value as Node | undefined;
    nodes[key] = node;
    if (!(key in FIELDS)) {
      problem(pair.key as Node, key, `unknown field "${key}"; state takes ${Object.keys(FIELDS).join(', ')}`);
      continue;
    }
    const raw = yaml.isScalar(node) ? node.value : undefined;
    if (typeof raw === 'number' && key === 'lock_stale') values[key] = raw;
    else if (typeof raw === 'string') {
      const expanded = interpolate(raw, env);
      if (expanded.ok) values[key] = expanded.value;
      else problem(node, key, expanded.message);
    } else problem(node, key, `${key} must be a string`);
  }
  const backend = (values['backend'] as string | undefined) ?? 'local';
  if (backend !== 'local' && backend !== 'git' && backend !== 's3') {
    problem(nodes['backend'], 'backend', `backend must be local, git or s3, not "${backend}"`);
  }
  for (const [key, owner] of Object.entries(FIELDS)) {
    if (owner !== 'any' && key in values && owner !== backend) {
      problem(
        nodes[key],
        key,
        `${key} is a setting of backend ${owner}, and this state's backend is ${backend}`,
      );
    }
  }
  let lockStaleMs: number | undefined;
  if (values['lock_stale'] !== undefined) {
    lockStaleMs = parseDuration(values['lock_stale']);
    if (lockStaleMs === undefined) {
      problem(nodes['lock_stale'], 'lock_stale', 'lock_stale must be a duration such as 30s, 10m or 1h');
    }
  }
  const str = (key: string) => values[key] as string | undefined;
  const settings: StateSettings = lockStaleMs === undefined ? {} : { lockStaleMs };
  if (backend === 'local' && str('path') !== undefined) {
    settings.location = { kind: 'local', path: resolve(dirname(configPath), str('path')!) };
  } else if (backend === 'git') {
    const ref = str('ref') ?? DEFAULT_GIT_REF;
    try {
      checkGitRef(ref, 'ref');
    } catch (error) {
      if (!(error instanceof LocationError)) throw error;
      problem(nodes['ref'], 'ref', error.message);
    }
    settings.location = { kind: 'git', remote: str('remote') ?? DEFAULT_GIT_REMOTE, ref };
  } else if (backend === 's3') {
    for (const key of ['bucket', 'key']) {
      if (str(key) === undefined) problem(block, '', `backend s3 needs ${key}`);
    }
    settings.location = {
      kind: 's3',
      bucket: str('bucket') ?? '',
      key: str('key') ?? '',
      ...(str('region') === undefined ? {} : { region: str('region')! }),
      ...(str('endpoint') === undefined ? {} : { endpoint: str('endpoint')! }),
    };
  }
  if (problems.length > 0) throw new ConfigError(sortProblems(problems));
  return settings;
}
