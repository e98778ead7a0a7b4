/**
 * What `validate` checks of assignment rules without reading the workspace: one
 * selector per rule, patterns that compile (and are not exponential), known
 * profiles, one profile per provider, unique names, and the conflicts certain
 * before any customer is listed (two rules that both pick a customer named in
 * the file, or every customer, and give it two profiles of one provider). The
 * other conflicts depend on the customer list and are found by plan
 * (src/plan/assignment-rules.ts). Reads the config defensively, as rules.ts does.
 */
import type { Problem } from '../errors.js';
import { isRecord } from '../json.js';
import { didYouMean } from '../suggest.js';
import type { Path, SourceIndex } from './document.js';
import { compilePattern, MAX_PATTERN_CHARS } from './selectors.js';

const SELECTORS = ['all', 'external_id_matches', 'name_matches', 'ids', 'external_ids'] as const;
const PATTERNS = ['external_id_matches', 'name_matches'] as const;
/** Customers named in a conflict message, at most. */
const NAMED = 5;

export function checkAssignmentRules(config: Record<string, unknown>, source: SourceIndex): Problem[] {
  const rules = config['rules'];
  if (!Array.isArray(rules)) return [];
  const profiles = isRecord(config['profiles']) ? config['profiles'] : {};
  const problems: Problem[] = [];
  const fail = (path: Path, message: string, at: 'key' | 'value' = 'value') =>
    problems.push(source.problem('error', path, message, at));
  const names = new Map<string, number>();

  rules.forEach((rule, i) => {
    if (!isRecord(rule)) return;
    const name = rule['name'];
    if (typeof name === 'string' && name.trim() !== '') {
      const first = names.get(name);
      if (first === undefined) names.set(name, i);
      else {
        const line = source.position(['rules', first, 'name']).line;
        fail(
          ['rules', i, 'name'],
          `rule name '${name}' is used twice (first at line ${line}): rule names must be unique`,
        );
      }
    }
    const present = SELECTORS.filter((field) => field in rule);
    if (present.length === 0) {
      fail(
        ['rules', i],
        'a rule needs one selector: all: true, external_id_matches, name_matches, ids or external_ids',
      );
    } else if (present.length > 1) {
      fail(
        ['rules', i, present[1]!],
        `a rule takes one selector, found ${present[0]} and ${present[1]}: write two rules, or leave customers out with exclude`,
        'key',
      );
    }
    for (const where of [[] as string[], ['exclude']]) {
      const holder = where.length === 0 ? rule : rule['exclude'];
      if (!isRecord(holder)) continue;
      for (const field of PATTERNS) {
        const pattern = holder[field];
        // Too long or not a string: the schema says so.
        if (typeof pattern !== 'string' || pattern === '' || pattern.length > MAX_PATTERN_CHARS) continue;
        const compiled = compilePattern(pattern);
        if (!compiled.ok) fail(['rules', i, ...where, field], compiled.message);
      }
    }
    const held = rule['profiles'];
    if (!Array.isArray(held)) return;
    const byProvider = new Map<string, { name: string; index: number }>();
    held.forEach((profile, j) => {
      if (typeof profile !== 'string' || profile === '') return;
      const path = ['rules', i, 'profiles', j];
      if (!Object.hasOwn(profiles, profile)) {
        fail(path, `unknown profile '${profile}'${didYouMean(profile, Object.keys(profiles))}`);
        return;
      }
      const provider = providerOf(profiles, profile);
      if (provider === undefined) return;
      const other = byProvider.get(provider);
      if (other === undefined) byProvider.set(provider, { name: profile, index: j });
      else {
        fail(
          path,
          `two ${provider} profiles in one rule: '${other.name}' (profiles[${other.index}]) and '${profile}'; Workato allows one profile per application`,
        );
      }
    });
  });
  for (const problem of findCertainConflicts(rules, profiles, config['customers'], source)) {
    problems.push(problem);
  }
  return problems;
}

function providerOf(profiles: Record<string, unknown>, name: string): string | undefined {
  const profile = profiles[name];
  const provider = isRecord(profile) ? profile['provider'] : undefined;
  return typeof provider === 'string' ? provider : undefined;
}

/** A customer as the file names it: `id` or `E:` external id, the keys customerKey makes. */
type Key = string;

interface ReadRule {
  index: number;
  name: string;
  all: boolean;
  named: Set<Key>;
  /** Undefined: no exclude. Else the keys it names, and whether a pattern may exclude more. */
  exclude?: { named: Set<Key>; patterns: boolean };
  /** Provider -> [profile, index in profiles]. */
  providers: Map<string, [string, number]>;
}

function keysOf(holder: Record<string, unknown>): Set<Key> {
  const keys = new Set<Key>();
  const ids = holder['ids'];
  const externalIds = holder['external_ids'];
  if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'number') keys.add(String(id));
  if (Array.isArray(externalIds)) {
    for (const id of externalIds) if (typeof id === 'string') keys.add(`E:${id}`);
  }
  return keys;
}

function readRule(rule: unknown, index: number, profiles: Record<string, unknown>): ReadRule | undefined {
  if (!isRecord(rule) || typeof rule['name'] !== 'string' || !Array.isArray(rule['profiles']))
    return undefined;
  const providers = new Map<string, [string, number]>();
  rule['profiles'].forEach((profile, j) => {
    if (typeof profile !== 'string') return;
    const provider = providerOf(profiles, profile);
    if (provider !== undefined && !providers.has(provider)) providers.set(provider, [profile, j]);
  });
  const exclude = rule['exclude'];
  return {
    index,
    name: rule['name'],
    all: rule['all'] === true,
    named: keysOf(rule),
    ...(isRecord(exclude) && {
      exclude: { named: keysOf(exclude), patterns: PATTERNS.some((field) => field in exclude) },
    }),
    providers,
  };
}

/**
 * Whether `rule` picks the customer `key` whatever the workspace holds. An exclude
 * naming customers by the other kind of id might name this one: not sure then.
 */
function surelyPicks(rule: ReadRule, key: Key): boolean {
  if (!rule.all && !rule.named.has(key)) return false;
  if (rule.exclude === undefined) return true;
  const otherKind = [...rule.exclude.named].some((k) => k.startsWith('E:') !== key.startsWith('E:'));
  return !rule.exclude.patterns && !otherKind && !rule.exclude.named.has(key);
}

/**
 * Pairs of rules giving two profiles of one provider to a customer both surely
 * pick: every customer (two `all` rules without exclude), or one named in either
 * rule whose own entry does not settle that provider.
 */
function findCertainConflicts(
  rules: unknown[],
  profiles: Record<string, unknown>,
  customers: unknown,
  source: SourceIndex,
): Problem[] {
  const read = rules.flatMap((rule, i) => readRule(rule, i, profiles) ?? []);
  // Providers the customer's own entry settles, or '*' for exclude_rules.
  const settled = new Map<Key, Set<string>>();
  if (Array.isArray(customers)) {
    for (const entry of customers) {
      if (!isRecord(entry)) continue;
      const key =
        typeof entry['id'] === 'number'
          ? String(entry['id'])
          : typeof entry['external_id'] === 'string'
            ? `E:${entry['external_id']}`
            : undefined;
      if (key === undefined) continue;
      const providers = new Set<string>();
      if (entry['exclude_rules'] === true) providers.add('*');
      const held = entry['profiles'];
      if (Array.isArray(held)) {
        for (const name of held) {
          const provider = typeof name === 'string' ? providerOf(profiles, name) : undefined;
          if (provider !== undefined) providers.add(provider);
        }
      }
      settled.set(key, providers);
    }
  }
  // Every customer the file names: any of them two rules both surely pick is a certain conflict.
  const named = new Set<Key>(settled.keys());
  for (const rule of read) for (const key of rule.named) named.add(key);
  const problems: Problem[] = [];
  for (const [b, later] of read.entries()) {
    for (const earlier of read.slice(0, b)) {
      for (const [provider, [profile, j]] of later.providers) {
        const other = earlier.providers.get(provider);
        if (other === undefined || other[0] === profile) continue;
        const line = source.position(['rules', earlier.index]).line;
        const both = `rules '${earlier.name}' (line ${line}) and '${later.name}'`;
        const two = `two ${provider} profiles, '${other[0]}' and '${profile}'`;
        const path = ['rules', later.index, 'profiles', j];
        if (earlier.all && later.all && earlier.exclude === undefined && later.exclude === undefined) {
          problems.push(
            source.problem(
              'error',
              path,
              `${both} both select every customer and give it ${two}: Workato allows one per application; leave customers out of one rule with exclude`,
            ),
          );
          continue;
        }
        const hit: Key[] = [];
        for (const key of named) {
          const own = settled.get(key);
          if (own?.has('*') || own?.has(provider)) continue;
          if (surelyPicks(earlier, key) && surelyPicks(later, key)) hit.push(key);
        }
        if (hit.length === 0) continue;
        const shown =
          hit.slice(0, NAMED).join(', ') + (hit.length > NAMED ? `, and ${hit.length - NAMED} more` : '');
        problems.push(
          source.problem(
            'error',
            path,
            `${both} give ${two} to customer ${shown}: Workato allows one per application; exclude them from one rule, or give them a ${provider} profile in their customers entry`,
          ),
        );
      }
    }
  }
  return problems;
}
