/**
 * A config that passed the schema and the rules -> the DesiredState the planner
 * reads: camelCase, defaults filled, secrets resolved, positions attached.
 */
import type { CustomerRef } from '../customer-ref.js';
import type { SourceIndex, SourceNode } from './document.js';
import type { Env } from './interpolate.js';
import { resolveSecret } from './secrets.js';
import type {
  CustomerSelector,
  DesiredCustomer,
  DesiredProfile,
  DesiredRule,
  DesiredState,
  SourcePosition,
  WorkspaceSettings,
} from './types.js';

/** The shape the schema guarantees. */
interface ValidConfig {
  workspace?: { data_center?: string; api_url?: string };
  profiles: Record<
    string,
    {
      provider: string;
      client_id: string;
      client_secret: string;
      token?: string;
      prevent_destroy?: boolean;
      previous_names?: string[];
    }
  >;
  /** Absent when the config lists its customers only in customers_from files. */
  customers?: {
    id?: number;
    external_id?: string;
    profiles: string[];
    force_unassign?: boolean;
    exclude_rules?: boolean;
  }[];
  rules?: ({ name: string; profiles: string[]; exclude?: SelectorFields } & SelectorFields)[];
}

interface SelectorFields {
  all?: true;
  external_id_matches?: string;
  name_matches?: string;
  ids?: number[];
  external_ids?: string[];
}

function toSelector(fields: SelectorFields): CustomerSelector {
  return {
    ...(fields.all === true && { all: true as const }),
    ...(fields.external_id_matches !== undefined && { externalIdMatches: fields.external_id_matches }),
    ...(fields.name_matches !== undefined && { nameMatches: fields.name_matches }),
    ...(fields.ids !== undefined && { ids: [...fields.ids] }),
    ...(fields.external_ids !== undefined && { externalIds: [...fields.external_ids] }),
  };
}

/** Only call on a config without error-severity problems. */
export function normalizeConfig(config: unknown, source: SourceIndex, env: Env): DesiredState {
  const valid = config as ValidConfig;
  const at = (node: SourceNode | undefined, key: boolean): SourcePosition | undefined => {
    if (node === undefined) return undefined;
    const { line, col } = source.positionAt(key ? (node.keyStart ?? node.start) : node.start);
    return { file: source.file, line, col };
  };
  const exactly = (path: string) => {
    const found = source.find([path]);
    return found?.exact ? found.node : undefined;
  };
  const profileNodes = exactly('profiles')?.entries;
  const customerNodes = exactly('customers')?.items;

  // The source index keeps file order; a plain object would move names like "123" first.
  const names = profileNodes ? [...profileNodes.keys()] : Object.keys(valid.profiles);
  const profiles = names.map((name): DesiredProfile => {
    const p = valid.profiles[name]!;
    const source = at(profileNodes?.get(name), true);
    return {
      ...(source && { source }),
      name,
      provider: p.provider,
      clientId: p.client_id,
      clientSecret: resolveSecret(p.client_secret, env),
      ...(p.token !== undefined && { token: resolveSecret(p.token, env) }),
      preventDestroy: p.prevent_destroy ?? false,
      previousNames: [...(p.previous_names ?? [])],
    };
  });

  // Object literals, not spreads: at 100k customers `...(source && { source })` made
  // a temporary object and a slow copy per customer, most of normalizing's time.
  const entries = valid.customers ?? [];
  const customers: DesiredCustomer[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const c = entries[i]!;
    const ref: CustomerRef = c.id !== undefined ? { id: c.id } : { externalId: c.external_id! };
    const source = at(customerNodes?.[i], false);
    const profiles = c.profiles.slice();
    const forceUnassign = c.force_unassign ?? false;
    const base = source ? { source, ref, profiles, forceUnassign } : { ref, profiles, forceUnassign };
    customers[i] = c.exclude_rules === true ? { ...base, excludeRules: true } : base;
  }

  const ruleNodes = exactly('rules')?.items;
  const rules = (valid.rules ?? []).map((r, i): DesiredRule => {
    const source = at(ruleNodes?.[i], false);
    return {
      ...(source && { source }),
      name: r.name,
      profiles: [...r.profiles],
      select: toSelector(r),
      ...(r.exclude !== undefined && { exclude: toSelector(r.exclude) }),
    };
  });

  const workspace: WorkspaceSettings = {
    ...(valid.workspace?.data_center !== undefined && { dataCenter: valid.workspace.data_center }),
    ...(valid.workspace?.api_url !== undefined && { apiUrl: valid.workspace.api_url }),
  };
  return { workspace, profiles, customers, ...(rules.length > 0 && { rules }) };
}
