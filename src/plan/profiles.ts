/**
 * The profile half of the planner: matches each profile of the config with what the
 * state recorded and what Workato has, and decides what happens to it. Pure.
 *
 * Matching, in order: the state's record (under the config's name, one of its
 * `previous_names`, or a replacement waiting to take the name) found live by its id;
 * then a live profile nobody manages, by name. A state record whose id is gone from
 * Workato is never matched by name: a profile deleted and made again by hand is a
 * different profile, and is adopted as one.
 */
import type { LiveProfile } from '../api/types.js';
import type { DesiredProfile, DesiredState } from '../config/types.js';
import { countStateHolders } from '../state/customers.js';
import type { State, StateProfile } from '../state/types.js';
import type { ProfilePass } from './pass.js';
import type { SecretChecks } from './secrets.js';
import { type ProfileChange, profileAddress } from './types.js';
import { findUnmanaged } from './unmanaged.js';
import { desiredView, inFieldOrder, liveView, secretRefs, unknownSecrets } from './views.js';

/**
 * The name a replacement is created under while the old profile still holds the
 * config's name. Deterministic, so an interrupted apply finds it again; it names the
 * old profile's id, so it says in Workato's UI what it is for.
 */
export function replacementName(name: string, oldId: number): string {
  return `${name} (replacing id ${oldId})`;
}

class ProfilePlanner {
  readonly pass: ProfilePass;
  readonly #liveById: Map<number, LiveProfile>;
  readonly #liveByName = new Map<string, LiveProfile[]>();
  readonly #stateIds: Set<number>;
  readonly #claimed = new Set<number>();
  readonly #consumed = new Set<string>();
  readonly #holders: Map<string, number>;

  constructor(
    readonly state: State,
    readonly live: readonly LiveProfile[],
    readonly secrets: SecretChecks,
  ) {
    this.#liveById = new Map(live.map((p) => [p.id, p]));
    for (const p of [...live].sort((a, b) => a.id - b.id)) {
      const list = this.#liveByName.get(p.name);
      if (list) list.push(p);
      else this.#liveByName.set(p.name, [p]);
    }
    const recorded = Object.values(state.profiles);
    this.#stateIds = new Set(recorded.map((p) => p.id));
    this.#holders = countStateHolders(state);
    this.pass = {
      changes: [],
      warnings: [],
      drift: [],
      reasons: [],
      holdsAs: new Map(),
      providerOf: new Map(),
      connections: new Map(),
      replaces: [],
      unmanaged: [],
      managedFound: {
        recorded: recorded.length,
        live: recorded.filter((p) => this.#liveById.has(p.id)).length,
      },
    };
  }

  /** A live profile of one of these names that no state record and no other config profile has. */
  #freeLive(names: readonly string[], provider?: string): LiveProfile | undefined {
    for (const name of names) {
      for (const p of this.#liveByName.get(name) ?? []) {
        if (this.#stateIds.has(p.id) || this.#claimed.has(p.id)) continue;
        if (provider !== undefined && p.provider !== provider) continue;
        return p;
      }
    }
    return undefined;
  }

  #claim(live: LiveProfile): void {
    this.#claimed.add(live.id);
  }

  #liveOf(recorded: StateProfile | undefined): LiveProfile | undefined {
    return recorded ? this.#liveById.get(recorded.id) : undefined;
  }

  planDesired(want: DesiredProfile, desiredNames: ReadonlySet<string>): void {
    const { state, pass } = this;
    const name = want.name;
    pass.providerOf.set(name, want.provider);
    const stateName = [name, ...want.previousNames].find(
      (n) => state.profiles[n] !== undefined && (n === name || !desiredNames.has(n)),
    );
    const recorded = stateName === undefined ? undefined : state.profiles[stateName];
    const replacementStateName = Object.keys(state.profiles)
      .sort()
      .find((n) => n !== stateName && state.profiles[n]?.rename_to === name);
    if (stateName !== undefined) this.#consumed.add(stateName);

    const current = this.#liveOf(recorded);
    if (current && stateName !== undefined && recorded) {
      this.#claim(current);
      if (current.provider !== want.provider) {
        this.#planReplace(want, stateName, recorded, current, replacementStateName);
      } else {
        this.#planUpdate(want, stateName, recorded, current);
      }
      return;
    }

    // The state's profile is gone from Workato, or the state has none.
    const replacement = replacementStateName === undefined ? undefined : state.profiles[replacementStateName];
    const replacementLive = this.#liveOf(replacement);
    if (replacementStateName !== undefined && replacement && replacementLive?.provider === want.provider) {
      // An interrupted replace got as far as deleting the old profile: finish it.
      this.#consumed.add(replacementStateName);
      this.#claim(replacementLive);
      this.#planUpdate(want, replacementStateName, replacement, replacementLive);
      return;
    }

    const found = this.#freeLive([name, ...want.previousNames]);
    if (recorded) {
      pass.warnings.push(
        found && found.name === name
          ? {
              code: 'profile-recreated',
              message: `profile "${name}" (id ${recorded.id}) was deleted in Workato and another profile of that name (id ${found.id}) exists; it is adopted, and every customer the config gives it is assigned again`,
            }
          : {
              code: 'profile-gone',
              message: `profile "${name}" (id ${recorded.id}) is in the state but no longer in Workato; it will be created again and assigned anew`,
            },
      );
    }
    if (found) this.#planAdopt(want, found);
    else this.#planCreate(want);
  }

  #planCreate(want: DesiredProfile): void {
    const checks = this.secrets.get(want.name);
    const unknown = unknownSecrets(checks);
    this.pass.changes.push({
      kind: 'profile',
      action: 'create',
      address: profileAddress(want.name),
      profile: want.name,
      after: desiredView(want, checks),
      ...(unknown.length > 0 ? { unknown } : {}),
      secretRefs: secretRefs(want),
    });
  }

  #planAdopt(want: DesiredProfile, current: LiveProfile): void {
    const { pass } = this;
    const name = want.name;
    this.#claim(current);
    if (current.provider !== want.provider) {
      pass.reasons.push(
        `Workato already has a profile named "${current.name}" (id ${current.id}) for provider ${current.provider}, but the config says ${want.provider}; rename one of them`,
      );
      return;
    }
    const checks = this.secrets.get(name);
    const unknown = unknownSecrets(checks);
    // The API never shows a secret, so adopting puts the config's secrets once.
    const changed = ['client_secret', ...(want.token ? ['token'] : [])];
    if (current.data.client_id !== want.clientId) changed.unshift('client_id');
    if (current.name !== name) changed.unshift('name');
    pass.changes.push({
      kind: 'profile',
      action: 'adopt',
      address: profileAddress(name),
      profile: name,
      id: current.id,
      before: { name: current.name, provider: current.provider, client_id: current.data.client_id },
      after: desiredView(want, checks),
      changed,
      ...(unknown.length > 0 ? { unknown } : {}),
      secretRefs: secretRefs(want),
    });
    pass.connections.set(name, current.shared_accounts_count);
    if (current.oem_customers_count > 0) {
      pass.warnings.push({
        code: 'adopt-assigned',
        message: `profile "${name}" (id ${current.id}) is already assigned to ${current.oem_customers_count} customer(s) that the state does not know; the tool will assign it per the config and leave those alone`,
      });
    }
  }

  #countDrift(name: string, stateName: string, current: LiveProfile): void {
    const known = this.#holders.get(stateName) ?? 0;
    if (known === current.oem_customers_count) return;
    this.pass.drift.push({
      code: 'assignment-count-drift',
      address: profileAddress(name),
      message: `id ${current.id}: Workato counts ${current.oem_customers_count} customer(s), the state records ${known}; assigned or unassigned outside workato-oauth`,
      repair: 'workato-oauth apply --reassert',
    });
  }

  #planUpdate(want: DesiredProfile, stateName: string, recorded: StateProfile, current: LiveProfile): void {
    const { pass } = this;
    const name = want.name;
    pass.holdsAs.set(stateName, name);
    pass.connections.set(name, current.shared_accounts_count);
    this.#countDrift(name, stateName, current);

    const checks = this.secrets.get(name);
    const unknown = unknownSecrets(checks);
    const changed: string[] = [];
    if (current.name !== name || stateName !== name) changed.push('name');
    if (current.data.client_id !== want.clientId) changed.push('client_id');
    if (checks?.client_secret.status === 'changed') changed.push('client_secret');
    const token = checks?.token.status;
    if (token === 'changed' || (token === 'absent' && recorded.token_fingerprint !== undefined))
      changed.push('token');
    // updated_at moves on every write in Workato: someone else wrote the profile since the
    // last apply, maybe its secret, which the API never shows. Put the config's values again.
    const drift =
      current.updated_at !== recorded.updated_at
        ? `modified outside workato-oauth: updated_at ${recorded.updated_at} -> ${current.updated_at}`
        : undefined;
    if (drift) changed.push('client_secret');
    if (drift && want.token) changed.push('token');

    if (changed.length === 0) {
      if (unknown.length > 0) {
        pass.warnings.push({
          code: 'secret-unknown',
          message: `profile "${name}": ${unknown.map((f) => `$${f === 'token' ? want.token?.ref : want.clientSecret.ref}`).join(', ')} not set, so the secret cannot be compared`,
        });
      }
      return;
    }
    pass.changes.push({
      kind: 'profile',
      action: 'update',
      address: profileAddress(name),
      profile: name,
      id: current.id,
      before: liveView(current, recorded.token_fingerprint !== undefined),
      after: desiredView(want, checks),
      changed: inFieldOrder(changed),
      ...(unknown.length > 0 ? { unknown } : {}),
      secretRefs: secretRefs(want),
      ...(stateName !== name ? { renamedFrom: stateName } : {}),
      ...(drift ? { drift } : {}),
    });
  }

  /**
   * A provider cannot change in place. The new profile is made under a temporary name,
   * each customer gets it before losing the old one, the old one is deleted, and the new
   * one takes the name: no customer is ever without the application the config gives it.
   */
  #planReplace(
    want: DesiredProfile,
    stateName: string,
    recorded: StateProfile,
    current: LiveProfile,
    replacementStateName: string | undefined,
  ): void {
    const { pass, state } = this;
    const name = want.name;
    const replacement = replacementStateName === undefined ? undefined : state.profiles[replacementStateName];
    const replacementLive = this.#liveOf(replacement);
    const usable = replacementLive?.provider === want.provider ? replacementLive : undefined;
    const tempName =
      usable && replacementStateName !== undefined ? replacementStateName : replacementName(name, current.id);
    // Made by an interrupted apply that did not get to record it: found by its temporary name.
    const made = usable ?? this.#freeLive([tempName], want.provider);
    if (made) this.#claim(made);
    if (usable && replacementStateName !== undefined) {
      this.#consumed.add(replacementStateName);
      pass.holdsAs.set(replacementStateName, name);
    }
    pass.connections.set(name, made?.shared_accounts_count ?? 0);

    const checks = this.secrets.get(name);
    const unknown = unknownSecrets(checks);
    const change: ProfileChange = {
      kind: 'profile',
      action: 'replace',
      address: profileAddress(name),
      profile: name,
      id: current.id,
      before: liveView(current, recorded.token_fingerprint !== undefined),
      after: desiredView(want, checks),
      changed: inFieldOrder([
        ...(current.name !== name ? ['name'] : []),
        'provider',
        ...(current.data.client_id !== want.clientId ? ['client_id'] : []),
        'client_secret',
        ...(want.token ? ['token'] : []),
      ]),
      ...(unknown.length > 0 ? { unknown } : {}),
      secretRefs: secretRefs(want),
      ...(stateName !== name ? { renamedFrom: stateName } : {}),
      moves: [],
      unassignFrom: [],
      forced: [],
      replacementName: tempName,
      ...(made ? { replacementId: made.id } : {}),
      // The old profile is deleted: guarded like a delete, by the flag in the state or the config.
      ...(recorded.prevent_destroy || want.preventDestroy ? { preventDestroy: true } : {}),
      customerCount: { live: current.oem_customers_count, known: this.#holders.get(stateName) ?? 0 },
    };
    pass.changes.push(change);
    pass.replaces.push({
      change,
      want,
      oldName: stateName,
      ...(usable && replacementStateName !== undefined ? { replacementStateName } : {}),
    });
  }

  /** State records the config no longer has: deleted, or forgotten when already gone. */
  planLeftovers(): void {
    const { state, pass } = this;
    for (const name of Object.keys(state.profiles).sort()) {
      if (this.#consumed.has(name)) continue;
      const recorded = state.profiles[name]!;
      const current = this.#liveOf(recorded);
      if (!current) {
        pass.warnings.push({
          code: 'profile-gone',
          message: `profile "${name}" (id ${recorded.id}) is in the state but no longer in Workato; apply will forget it`,
        });
        continue;
      }
      this.#claim(current);
      pass.holdsAs.set(name, name);
      pass.providerOf.set(name, recorded.provider);
      pass.connections.set(name, current.shared_accounts_count);
      pass.changes.push({
        kind: 'profile',
        action: 'delete',
        address: profileAddress(name),
        profile: name,
        id: current.id,
        before: liveView(current, recorded.token_fingerprint !== undefined),
        ...(recorded.prevent_destroy ? { preventDestroy: true } : {}),
        customerCount: { live: current.oem_customers_count, known: this.#holders.get(name) ?? 0 },
      });
    }
  }

  get claimed(): ReadonlySet<number> {
    return this.#claimed;
  }
}

export function planProfiles(
  desired: DesiredState,
  state: State,
  live: readonly LiveProfile[],
  secrets: SecretChecks,
): ProfilePass {
  const planner = new ProfilePlanner(state, live, secrets);
  const desiredNames = new Set(desired.profiles.map((p) => p.name));
  for (const want of [...desired.profiles].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    planner.planDesired(want, desiredNames);
  }
  planner.planLeftovers();
  const { unmanaged, warnings } = findUnmanaged(live, planner.claimed, desiredNames);
  for (const item of unmanaged) planner.pass.unmanaged.push(item);
  for (const warning of warnings) planner.pass.warnings.push(warning);
  return planner.pass;
}
