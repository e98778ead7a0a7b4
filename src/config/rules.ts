/**
 * Rules the JSON Schema cannot express: they compare entries with each other or
 * with Workato's semantics. They read the config defensively (it may also have
 * failed the schema), so one run reports every problem.
 */

import { judgeApiUrl } from '../api-url.js';
import { customerKey } from '../customer-ref.js';
import type { Problem } from '../errors.js';
import { isRecord } from '../json.js';
import { didYouMean } from '../suggest.js';
import type { SourceIndex } from './document.js';
import { checkAssignmentRules } from './rule-checks.js';

/** Provider ids seen in Workato material; Workato publishes no complete list, so others only warn. */
export const KNOWN_PROVIDERS: readonly string[] = [
  'hubspot',
  'salesforce',
  'salesforce_secondary',
  'slack',
  'outlook',
  'microsoft_sharepoint',
  'microsoft_dynamics_crm',
  'zoom',
  'google_drive',
  'google_sheets',
  'onedrive',
];

export function checkRules(config: unknown, source: SourceIndex): Problem[] {
  if (!isRecord(config)) return [];
  const profiles = isRecord(config['profiles']) ? config['profiles'] : undefined;
  return [
    ...checkWorkspace(config['workspace'], source),
    ...checkProfiles(profiles ?? {}, source),
    ...checkPreviousNames(profiles ?? {}, source),
    ...checkCustomers(config['customers'], profiles, source),
    ...checkAssignmentRules(config, source),
  ];
}

/** The same rules plan applies to the URL the token is sent to (src/api-url.ts). */
function checkWorkspace(workspace: unknown, source: SourceIndex): Problem[] {
  const url = isRecord(workspace) ? workspace['api_url'] : undefined;
  // What the schema's pattern refuses, it reports itself.
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) return [];
  const judged = judgeApiUrl(url);
  return judged.ok ? [] : [source.problem('error', ['workspace', 'api_url'], judged.problem)];
}

/**
 * A customer id as written: digits only. YAML reads `1e23` and `0x10` as numbers,
 * `010` is 8 in YAML 1.1 and 10 in 1.2, and digits past 2^53 are silently rounded:
 * each would name some other customer than the one meant.
 */
function checkCustomerId(id: number, path: readonly (string | number)[], source: SourceIndex): Problem[] {
  // Zero and below: the schema says so ("expected a positive integer"); once is enough.
  if (id < 1) return [];
  const raw = source.raw(path)?.trim();
  // An alias (`*x`) points elsewhere: the anchored value was checked where it is written.
  if (raw !== undefined && !raw.startsWith('*') && !/^(0|[1-9][0-9]*)$/.test(raw)) {
    return [
      source.problem(
        'error',
        path,
        `id ${raw} is not a plain decimal integer: write the customer id in digits, e.g. id: 4567`,
      ),
    ];
  }
  if (!Number.isSafeInteger(id)) {
    return [
      source.problem(
        'error',
        path,
        `id ${raw ?? id} is larger than ${Number.MAX_SAFE_INTEGER}, the largest id that can be read exactly (it would become ${id})`,
      ),
    ];
  }
  return [];
}

function checkProfiles(profiles: Record<string, unknown>, source: SourceIndex): Problem[] {
  const problems: Problem[] = [];
  for (const [name, profile] of Object.entries(profiles)) {
    if (!isRecord(profile) || typeof profile['provider'] !== 'string') continue;
    const provider = profile['provider'];
    const path = ['profiles', name];
    if (provider !== '' && !KNOWN_PROVIDERS.includes(provider)) {
      const hint =
        didYouMean(provider, KNOWN_PROVIDERS) ||
        ': not one this tool knows, check the spelling (Workato rejects providers it does not have)';
      problems.push(
        source.problem('warning', [...path, 'provider'], `unknown provider '${provider}'${hint}`),
      );
    }
    // Warnings, not errors: Workato's requirements per provider are not published.
    if (provider === 'slack' && !('token' in profile)) {
      problems.push(
        source.problem(
          'warning',
          [...path, 'token'],
          `slack profiles usually need token (the Slack app token), e.g. token: \${SLACK_APP_TOKEN}`,
        ),
      );
    }
    if (provider !== 'slack' && 'token' in profile) {
      problems.push(
        source.problem(
          'warning',
          [...path, 'token'],
          `token is used by slack profiles only, not by ${provider}`,
          'key',
        ),
      );
    }
  }
  return problems;
}

/** Where a name or customer was first seen; its line is looked up only when it repeats. */
interface Seen {
  readonly index: number;
  readonly path: readonly (string | number)[];
}

/**
 * A previous name must say which one profile to rename: not a name the file
 * still uses (that profile is planned on its own), and not claimed by two
 * profiles. One problem per offending entry, at the entry.
 */
function checkPreviousNames(profiles: Record<string, unknown>, source: SourceIndex): Problem[] {
  const problems: Problem[] = [];
  const claimed = new Map<string, Seen & { readonly profile: string }>();
  // File order, so "listed by two profiles" names the earlier one first even when a name looks like a number.
  const found = source.find(['profiles']);
  const names = found?.exact && found.node.entries ? [...found.node.entries.keys()] : Object.keys(profiles);
  for (const name of names) {
    const profile = profiles[name];
    const previous = isRecord(profile) ? profile['previous_names'] : undefined;
    if (!Array.isArray(previous)) continue;
    const seenHere = new Map<string, Seen>();
    previous.forEach((old, j) => {
      if (typeof old !== 'string' || old === '') return;
      const path = ['profiles', name, 'previous_names', j];
      const fail = (message: string) => problems.push(source.problem('error', path, message));
      const repeat = seenHere.get(old);
      if (repeat !== undefined) {
        const firstLine = source.position(repeat.path).line;
        fail(
          `previous name '${old}' is listed twice for this profile (first at line ${firstLine}, previous_names[${repeat.index}])`,
        );
        return;
      }
      seenHere.set(old, { index: j, path });
      if (old === name) {
        fail(`previous name '${old}' is this profile's own name: remove it`);
        return;
      }
      if (Object.hasOwn(profiles, old)) {
        const line = source.position(['profiles', old], 'key').line;
        fail(
          `previous name '${old}' is still the name of a profile in this file (line ${line}): remove that profile to rename it into this one, or remove this entry`,
        );
        return;
      }
      const other = claimed.get(old);
      if (other === undefined) claimed.set(old, { index: j, path, profile: name });
      else {
        const otherLine = source.position(other.path).line;
        fail(
          `previous name '${old}' is listed by two profiles, '${other.profile}' (line ${otherLine}) and '${name}': an old profile can become only one of them, keep the name in one list`,
        );
      }
    });
  }
  return problems;
}

function checkCustomers(
  customers: unknown,
  profiles: Record<string, unknown> | undefined,
  source: SourceIndex,
): Problem[] {
  if (!Array.isArray(customers)) return [];
  const problems: Problem[] = [];
  const names = profiles === undefined ? [] : Object.keys(profiles);
  // Index of the first entry naming each customer. Paths and positions are made only
  // for problems: at 100k customers, a path array and a Map per entry were a third of
  // validating.
  const seenCustomers = new Map<string, number>();

  for (let i = 0; i < customers.length; i++) {
    const customer: unknown = customers[i];
    if (!isRecord(customer)) continue;
    const id = customer['id'];
    if (typeof id === 'number' && Number.isInteger(id))
      for (const problem of checkCustomerId(id, ['customers', i, 'id'], source)) problems.push(problem);
    const refField = customerRefField(customer);
    if (refField !== undefined) {
      const value = customer[refField] as string | number;
      const key = customerKey(refField === 'id' ? { id: value as number } : { externalId: value as string });
      const first = seenCustomers.get(key);
      if (first === undefined) seenCustomers.set(key, i);
      else {
        const firstLine = source.position(['customers', first, refField]).line;
        const shown = refField === 'id' ? String(value) : `'${value}'`;
        problems.push(
          source.problem(
            'error',
            ['customers', i, refField],
            `customer ${refField} ${shown} is listed twice (first at line ${firstLine}, customers[${first}]): merge the two entries`,
          ),
        );
      }
    }

    const held = customer['profiles'];
    if (!Array.isArray(held) || profiles === undefined) continue;
    for (const problem of checkHeldProfiles(held, i, profiles, names, source)) problems.push(problem);
  }
  return problems;
}

/**
 * One customer's profile list: no name twice, every name a profile, one profile per
 * provider. The list is a handful of names, so it is scanned, not indexed.
 */
function checkHeldProfiles(
  held: readonly unknown[],
  i: number,
  profiles: Record<string, unknown>,
  names: readonly string[],
  source: SourceIndex,
): Problem[] {
  const problems: Problem[] = [];
  const path = (j: number) => ['customers', i, 'profiles', j];
  /** Per provider seen so far, the first profile of it and its index in the list. */
  const byProvider: { provider: string; name: string; index: number }[] = [];
  for (let j = 0; j < held.length; j++) {
    const name = held[j];
    if (typeof name !== 'string' || name === '') continue;
    const repeat = held.indexOf(name);
    if (repeat < j) {
      const firstLine = source.position(path(repeat)).line;
      problems.push(
        source.problem(
          'error',
          path(j),
          `profile '${name}' is listed twice for this customer (first at line ${firstLine}, profiles[${repeat}])`,
        ),
      );
      continue;
    }
    if (!Object.hasOwn(profiles, name)) {
      problems.push(source.problem('error', path(j), `unknown profile '${name}'${didYouMean(name, names)}`));
      continue;
    }
    const profile = profiles[name];
    const provider = isRecord(profile) ? profile['provider'] : undefined;
    if (typeof provider !== 'string') continue;
    const other = byProvider.find((entry) => entry.provider === provider);
    if (other === undefined) byProvider.push({ provider, name, index: j });
    else {
      problems.push(
        source.problem(
          'error',
          path(j),
          `two ${provider} profiles for one customer: '${other.name}' (profiles[${other.index}]) and '${name}'; Workato allows one profile per application`,
        ),
      );
    }
  }
  return problems;
}

/** The field naming the customer, when exactly one usable one is there (else the schema reports it). */
function customerRefField(customer: Record<string, unknown>): 'id' | 'external_id' | undefined {
  const id = customer['id'];
  const externalId = customer['external_id'];
  const hasId = typeof id === 'number' && Number.isInteger(id);
  const hasExternal = typeof externalId === 'string' && externalId.trim() !== '';
  if (hasId && externalId === undefined) return 'id';
  if (hasExternal && id === undefined) return 'external_id';
  return undefined;
}
