/**
 * Assignment rules resolved against the workspace's customer list: one desired
 * customer per customer that a rule or an entry gives something. Pure.
 *
 * Precedence (docs/config-format.md, Rules): a customer gets the union of the
 * profiles of the rules that select it (and do not exclude it); its own
 * `customers` entry then wins per provider (its profile replaces the rules' one
 * of that provider), and `exclude_rules: true` drops every rule's profile. Two
 * rules giving one customer two profiles of one provider, that its entry does not
 * settle, is an error naming both rules and the first customers affected.
 */

import type { DesiredCustomer, DesiredRule, DesiredState } from '../config/types.js';
import { customerKey } from '../customer-ref.js';
import { describeEntry, describeMissing } from './customers.js';
import { compileSelector, type SelectableCustomer } from './selectors.js';

/** Customers named in a conflict message, at most. */
const NAMED = 5;

export interface RuleResolution {
  /** The config's entries first (in file order), then the customers only rules give something, by id. */
  customers: DesiredCustomer[];
  /** Why the rules cannot be applied; empty when they can. */
  problems: string[];
}

interface CompiledRule {
  rule: DesiredRule;
  picks: (customer: SelectableCustomer) => boolean;
  leaves: ((customer: SelectableCustomer) => boolean) | undefined;
}

function where(rule: DesiredRule): string {
  return rule.source ? ` (${rule.source.file}:${rule.source.line})` : '';
}

/** The desired customers the rules and the entries make, given every customer in the workspace. */
export function resolveRules(desired: DesiredState, listed: readonly SelectableCustomer[]): RuleResolution {
  const providerOf = new Map(desired.profiles.map((p) => [p.name, p.provider]));
  const rules: CompiledRule[] = (desired.rules ?? []).map((rule) => ({
    rule,
    picks: compileSelector(rule.select),
    leaves: rule.exclude === undefined ? undefined : compileSelector(rule.exclude),
  }));

  const byId = new Map<number, SelectableCustomer>();
  const byExternalId = new Map<string, SelectableCustomer>();
  for (const customer of listed) {
    byId.set(customer.id, customer);
    if (customer.external_id !== null) byExternalId.set(customer.external_id, customer);
  }
  const entryOf = new Map<number, DesiredCustomer>();
  const problems: string[] = [];
  for (const entry of desired.customers) {
    const live = 'id' in entry.ref ? byId.get(entry.ref.id) : byExternalId.get(entry.ref.externalId);
    const earlier = live === undefined ? undefined : entryOf.get(live.id);
    if (live !== undefined && earlier !== undefined) {
      problems.push(
        `customer ${describeEntry(earlier)} and customer ${describeEntry(entry)} are the same customer (Workato id ${live.id}); keep one entry`,
      );
    } else if (live !== undefined) entryOf.set(live.id, entry);
    else if (entry.profiles.length > 0) problems.push(describeMissing(entry));
  }

  /** Per conflicting pair and provider: the message's parts and the customers hit. */
  const conflicts = new Map<
    string,
    {
      first: DesiredRule;
      second: DesiredRule;
      provider: string;
      profiles: [string, string];
      customers: string[];
    }
  >();
  const fromRules = new Map<number, DesiredCustomer>();
  const resolved = new Map<DesiredCustomer, DesiredCustomer>();
  const ordered = [...listed].sort((a, b) => a.id - b.id);
  for (const customer of ordered) {
    const entry = entryOf.get(customer.id);
    if (entry?.excludeRules === true) continue;
    const own = new Set((entry?.profiles ?? []).map((name) => providerOf.get(name)));
    const key = entry ? customerKey(entry.ref) : refKey(customer);
    /** Provider -> [profile, rule], the first rule giving that provider. */
    const given = new Map<string, [string, DesiredRule]>();
    const ruleOf = new Map<string, string>();
    for (const { rule, picks, leaves } of rules) {
      if (!picks(customer) || leaves?.(customer) === true) continue;
      for (const profile of rule.profiles) {
        const provider = providerOf.get(profile)!;
        if (own.has(provider)) continue;
        const earlier = given.get(provider);
        if (earlier === undefined) {
          given.set(provider, [profile, rule]);
          ruleOf.set(profile, rule.name);
        } else if (earlier[0] !== profile) {
          const id = `${earlier[1].name}\0${rule.name}\0${provider}`;
          const conflict = conflicts.get(id) ?? {
            first: earlier[1],
            second: rule,
            provider,
            profiles: [earlier[0], profile] as [string, string],
            customers: [],
          };
          conflict.customers.push(key);
          conflicts.set(id, conflict);
        }
      }
    }
    if (ruleOf.size === 0) continue;
    const profiles = [...(entry?.profiles ?? [])];
    for (const profile of ruleOf.keys()) profiles.push(profile);
    const made: DesiredCustomer = {
      ...(entry?.source && { source: entry.source }),
      ref: entry?.ref ?? refOf(customer),
      profiles,
      forceUnassign: entry?.forceUnassign ?? false,
      ruleOf,
    };
    if (entry) resolved.set(entry, made);
    else fromRules.set(customer.id, made);
  }

  for (const c of conflicts.values()) {
    const shown = c.customers.slice(0, NAMED).join(', ');
    const more = c.customers.length > NAMED ? `, and ${c.customers.length - NAMED} more` : '';
    problems.push(
      `rules '${c.first.name}'${where(c.first)} and '${c.second.name}'${where(c.second)} give two ${c.provider} profiles, '${c.profiles[0]}' and '${c.profiles[1]}', to ${c.customers.length} customer(s): ${shown}${more}; Workato allows one per application: exclude them from one rule, or give them a ${c.provider} profile in their customers entry`,
    );
  }
  const customers: DesiredCustomer[] = [];
  for (const entry of desired.customers) customers.push(resolved.get(entry) ?? entry);
  for (const made of fromRules.values()) customers.push(made);
  return { customers, problems };
}

/** How a customer only rules name is addressed: by its external id when it has one (as entries mostly are). */
function refOf(customer: SelectableCustomer): DesiredCustomer['ref'] {
  return customer.external_id === null ? { id: customer.id } : { externalId: customer.external_id };
}

function refKey(customer: SelectableCustomer): string {
  return customerKey(refOf(customer));
}
