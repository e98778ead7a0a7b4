/**
 * The emulator's model: profiles, customers, assignments and connections, and
 * the rules the API enforces on them. Pure: no I/O; the clock is injected.
 *
 * The real API is undocumented on several points (see workato-api-facts.md);
 * where it is, the model takes the STRICT reading, so that a tool that works
 * here works whichever way Workato goes. Each such rule is marked STRICT.
 * The error wordings are a contract: src/api recognises them.
 */
import type { Customer, LiveProfile } from '../api/types.js';
import type { CustomerRef } from '../customer-ref.js';
import { type CustomerOrder, compareForListing, presentCustomer } from './customer-view.js';
import {
  fail,
  formatTimestamp,
  ok,
  paginate,
  parseProfileInput,
  type RuleError,
  type RuleResult,
} from './rule-result.js';
import { type NormalizedWorldData, parseWorldData, type WorldData } from './world-data.js';

export {
  formatTimestamp,
  paginate,
  parseProfileInput,
  type RuleError,
  type RuleResult,
} from './rule-result.js';

/** The admin workspace's user id, the `user_id` of every profile. */
export const EMULATOR_USER_ID = 1;

interface ProfileRecord {
  id: number;
  name: string;
  provider: string;
  clientId: string;
  clientSecret: string;
  token: string | undefined;
  createdAt: string;
  updatedAt: string;
}

interface CustomerRecord {
  id: number;
  externalId: string | null;
  name: string;
  /** Held profile id -> connections using it in this customer's workspace. */
  holdings: Map<number, number>;
}

const PROFILE_NOT_FOUND: RuleError = { kind: 'not-found', message: 'Custom OAuth profile not found' };
const CUSTOMER_NOT_FOUND: RuleError = { kind: 'not-found', message: 'Customer not found' };

export class EmulatorWorld {
  private readonly profiles = new Map<number, ProfileRecord>();
  private readonly customers = new Map<number, CustomerRecord>();
  /** The customers by id, kept between listing pages: a 100,000-customer workspace is 1,000 pages. */
  private customersById: CustomerRecord[] | undefined;
  private readonly byExternalId = new Map<string, CustomerRecord>();
  private nextProfileId: number;
  /** Last timestamp handed out: keeps `updated_at` strictly increasing even within one millisecond. */
  private lastStampMs: number;
  private readonly now: () => number;

  /** Validates `data` (throws WorldDataError) and builds the model. */
  constructor(data: WorldData = {}, options: { now?: () => number } = {}) {
    const world = parseWorldData(data);
    this.now = options.now ?? Date.now;
    this.nextProfileId = world.next_profile_id;
    this.lastStampMs = Number.NEGATIVE_INFINITY;
    for (const p of world.profiles) {
      this.profiles.set(p.id, {
        id: p.id,
        name: p.name,
        provider: p.provider,
        clientId: p.client_id,
        clientSecret: p.client_secret,
        token: p.token,
        createdAt: p.created_at,
        updatedAt: p.updated_at,
      });
      this.lastStampMs = Math.max(this.lastStampMs, Date.parse(p.created_at), Date.parse(p.updated_at));
    }
    for (const c of world.customers) {
      const holdings = new Map(c.profiles.map((id) => [id, c.connections[String(id)] ?? 0]));
      const customer: CustomerRecord = { id: c.id, externalId: c.external_id, name: c.name, holdings };
      this.customers.set(c.id, customer);
      if (c.external_id !== null) this.byExternalId.set(c.external_id, customer);
    }
  }

  // ---- profiles ---------------------------------------------------------

  /** Ordered by id ascending, as the client's paging relies on a stable order. */
  listProfiles(page: number, perPage: number): LiveProfile[] {
    const counts = this.countUsage();
    const sorted = [...this.profiles.values()].sort((a, b) => a.id - b.id);
    return paginate(sorted, page, perPage).map((p) => this.present(p, counts));
  }

  getProfile(id: number): RuleResult<LiveProfile> {
    const profile = this.profiles.get(id);
    return profile ? ok(this.present(profile)) : fail(PROFILE_NOT_FOUND);
  }

  /** Duplicate names are allowed: Workato does not promise uniqueness, so the tool must cope. */
  createProfile(body: unknown): RuleResult<LiveProfile> {
    const input = parseProfileInput(body);
    if (!input.ok) return input;
    const stamp = this.stamp();
    const profile: ProfileRecord = {
      id: this.nextProfileId++,
      name: input.value.name,
      provider: input.value.provider,
      clientId: input.value.data.client_id,
      clientSecret: input.value.data.client_secret,
      token: input.value.data.token,
      createdAt: stamp,
      updatedAt: stamp,
    };
    this.profiles.set(profile.id, profile);
    return ok(this.present(profile));
  }

  /**
   * STRICT: PUT is a full replacement, so a body without `data.token` clears the
   * stored token, and every successful PUT moves `updated_at`, changed or not.
   * STRICT: the provider of an assigned profile cannot change (it would give a
   * customer two profiles for one provider); the answer is the delete refusal.
   */
  updateProfile(id: number, body: unknown): RuleResult<LiveProfile> {
    const profile = this.profiles.get(id);
    if (!profile) return fail(PROFILE_NOT_FOUND);
    const input = parseProfileInput(body);
    if (!input.ok) return input;
    if (input.value.provider !== profile.provider) {
      const refusal = this.refuseIfAssigned(profile);
      if (refusal) return fail(refusal);
    }
    profile.name = input.value.name;
    profile.provider = input.value.provider;
    profile.clientId = input.value.data.client_id;
    profile.clientSecret = input.value.data.client_secret;
    profile.token = input.value.data.token;
    profile.updatedAt = this.stamp();
    return ok(this.present(profile));
  }

  /** STRICT: a profile still assigned to any customer cannot be deleted. */
  deleteProfile(id: number): RuleResult<void> {
    const profile = this.profiles.get(id);
    if (!profile) return fail(PROFILE_NOT_FOUND);
    const refusal = this.refuseIfAssigned(profile);
    if (refusal) return fail(refusal);
    this.profiles.delete(id);
    return ok(undefined);
  }

  // ---- customers ----------------------------------------------------------

  listCustomers(page: number, perPage: number): Customer[] {
    this.customersById ??= [...this.customers.values()].sort(compareForListing(this.#order));
    return paginate(this.customersById, page, perPage).map((c) => presentCustomer(c));
  }

  /** See src/emulator/customer-order.ts. */
  get customerOrder(): CustomerOrder {
    return this.#order;
  }
  set customerOrder(order: CustomerOrder) {
    this.#order = order;
    this.customersById = undefined;
  }
  #order: CustomerOrder = 'id';

  /** A customer made as the partner's product does (the tool never does); the next free id unless given. */
  addCustomer(input: { id?: number; external_id?: string | null; name: string }): RuleResult<Customer> {
    let id = input.id ?? 1;
    if (input.id === undefined) for (const known of this.customers.keys()) id = Math.max(id, known + 1);
    const externalId = input.external_id ?? null;
    if (this.customers.has(id) || (externalId !== null && this.byExternalId.has(externalId))) {
      return fail({ kind: 'refused', message: 'A customer with this id or external id exists already' });
    }
    const customer: CustomerRecord = { id, externalId, name: input.name, holdings: new Map() };
    this.customers.set(id, customer);
    if (externalId !== null) this.byExternalId.set(externalId, customer);
    this.customersById = undefined;
    return ok(presentCustomer(customer));
  }

  getCustomer(ref: CustomerRef): RuleResult<Customer> {
    const customer = this.findCustomer(ref);
    return customer ? ok(presentCustomer(customer)) : fail(CUSTOMER_NOT_FOUND);
  }

  /**
   * STRICT: a customer holds at most one profile per provider, and assigning a
   * second one is refused rather than replacing the first. Assigning a profile
   * the customer already holds succeeds (idempotent).
   */
  assignProfile(ref: CustomerRef, profileId: number): RuleResult<void> {
    const customer = this.findCustomer(ref);
    if (!customer) return fail(CUSTOMER_NOT_FOUND);
    const profile = this.profiles.get(profileId);
    if (!profile) return fail(PROFILE_NOT_FOUND);
    if (customer.holdings.has(profileId)) return ok(undefined);
    for (const heldId of customer.holdings.keys()) {
      const held = this.profiles.get(heldId);
      if (held?.provider === profile.provider) {
        return fail({
          kind: 'refused',
          message:
            `Customer ${customer.id} already holds custom OAuth profile ${held.id} (${JSON.stringify(held.name)}) ` +
            `for provider ${held.provider}; unassign it first`,
        });
      }
    }
    customer.holdings.set(profileId, 0);
    return ok(undefined);
  }

  /**
   * STRICT: unassigning a profile the customer does not hold is refused (not a
   * silent success). Without force, a profile in use by connections in the
   * customer's workspace stays; with force it goes and those connections too.
   */
  unassignProfile(ref: CustomerRef, profileId: number, options: { force: boolean }): RuleResult<void> {
    const customer = this.findCustomer(ref);
    if (!customer) return fail(CUSTOMER_NOT_FOUND);
    if (!this.profiles.has(profileId)) return fail(PROFILE_NOT_FOUND);
    const connections = customer.holdings.get(profileId);
    if (connections === undefined) {
      return fail({
        kind: 'refused',
        message: `Custom OAuth profile ${profileId} is not assigned to customer ${customer.id}`,
      });
    }
    if (connections > 0 && !options.force) {
      return fail({
        kind: 'refused',
        message:
          `Custom OAuth profile ${profileId} is in use by ${connections} connection(s) in customer ` +
          `${customer.id}; pass force=true to unassign anyway`,
      });
    }
    customer.holdings.delete(profileId);
    return ok(undefined);
  }

  /**
   * Sets how many connections a customer's workspace has on a held profile.
   * Not an API call (connections are made by end users in Workato): tests and
   * the control endpoint use it to stage "in use" situations.
   */
  setConnections(ref: CustomerRef, profileId: number, count: number): RuleResult<void> {
    const customer = this.findCustomer(ref);
    if (!customer) return fail(CUSTOMER_NOT_FOUND);
    if (!this.profiles.has(profileId)) return fail(PROFILE_NOT_FOUND);
    if (!customer.holdings.has(profileId)) {
      return fail({
        kind: 'refused',
        message: `Custom OAuth profile ${profileId} is not assigned to customer ${customer.id}`,
      });
    }
    if (!Number.isSafeInteger(count) || count < 0) {
      return fail({ kind: 'invalid', errors: { count: ['must be a non-negative integer'] } });
    }
    customer.holdings.set(profileId, count);
    return ok(undefined);
  }

  /** Removes a customer with all it holds, as the Embedded API can (the tool never does): an offboarding. */
  deleteCustomer(ref: CustomerRef): RuleResult<void> {
    const customer = this.findCustomer(ref);
    if (!customer) return fail(CUSTOMER_NOT_FOUND);
    this.customers.delete(customer.id);
    this.customersById = undefined;
    if (customer.externalId !== null) this.byExternalId.delete(customer.externalId);
    return ok(undefined);
  }

  /** A new name for a customer, as the partner's product may give it (the tool never does). */
  renameCustomer(ref: CustomerRef, name: string): RuleResult<void> {
    const customer = this.findCustomer(ref);
    if (!customer) return fail(CUSTOMER_NOT_FOUND);
    customer.name = name;
    return ok(undefined);
  }

  /** Ids of the profiles a customer holds, ascending; undefined for an unknown customer. */
  heldProfiles(ref: CustomerRef): number[] | undefined {
    const customer = this.findCustomer(ref);
    return customer ? [...customer.holdings.keys()].sort((a, b) => a - b) : undefined;
  }

  /** The stored secrets of a profile, for tests asserting what was sent. Never served by the API. */
  storedSecrets(profileId: number): { client_secret: string; token?: string } | undefined {
    const p = this.profiles.get(profileId);
    if (!p) return undefined;
    return { client_secret: p.clientSecret, ...(p.token === undefined ? {} : { token: p.token }) };
  }

  // ---- snapshots ------------------------------------------------------------

  /** The whole world in data-file form, secrets included, sorted by id. */
  toData(): NormalizedWorldData {
    return {
      next_profile_id: this.nextProfileId,
      customers: [...this.customers.values()]
        .sort((a, b) => a.id - b.id)
        .map((c) => {
          const held = [...c.holdings.keys()].sort((a, b) => a - b);
          const connections: Record<string, number> = {};
          for (const id of held) {
            const count = c.holdings.get(id) ?? 0;
            if (count > 0) connections[String(id)] = count;
          }
          return { id: c.id, external_id: c.externalId, name: c.name, profiles: held, connections };
        }),
      profiles: [...this.profiles.values()]
        .sort((a, b) => a.id - b.id)
        .map((p) => ({
          id: p.id,
          name: p.name,
          provider: p.provider,
          client_id: p.clientId,
          client_secret: p.clientSecret,
          ...(p.token === undefined ? {} : { token: p.token }),
          created_at: p.createdAt,
          updated_at: p.updatedAt,
        })),
    };
  }

  /** toData() without client_secret and token: what the control endpoint may show. */
  toPublicData(): Omit<NormalizedWorldData, 'profiles'> & {
    profiles: Array<Omit<NormalizedWorldData['profiles'][number], 'client_secret' | 'token'>>;
  } {
    const data = this.toData();
    return {
      ...data,
      profiles: data.profiles.map(({ client_secret: _secret, token: _token, ...rest }) => rest),
    };
  }

  // ---- internals --------------------------------------------------------------

  private findCustomer(ref: CustomerRef): CustomerRecord | undefined {
    return 'id' in ref ? this.customers.get(ref.id) : this.byExternalId.get(ref.externalId);
  }

  private refuseIfAssigned(profile: ProfileRecord): RuleError | undefined {
    const holders = this.countUsage().get(profile.id)?.customers ?? 0;
    if (holders === 0) return undefined;
    return {
      kind: 'refused',
      message: `Custom OAuth profile ${profile.id} is assigned to ${holders} customer(s); unassign it first`,
    };
  }

  /** One pass over the customers: holders and connections per profile id. */
  private countUsage(): Map<number, { customers: number; connections: number }> {
    const counts = new Map<number, { customers: number; connections: number }>();
    for (const customer of this.customers.values()) {
      for (const [id, connections] of customer.holdings) {
        const entry = counts.get(id) ?? { customers: 0, connections: 0 };
        entry.customers += 1;
        entry.connections += connections;
        counts.set(id, entry);
      }
    }
    return counts;
  }

  private present(p: ProfileRecord, counts = this.countUsage()): LiveProfile {
    const usage = counts.get(p.id);
    // Key order as in the seeds; secrets are never part of a response.
    return {
      id: p.id,
      user_id: EMULATOR_USER_ID,
      name: p.name,
      provider: p.provider,
      data: { client_id: p.clientId },
      shared_accounts_count: usage?.connections ?? 0,
      oem_customers_count: usage?.customers ?? 0,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
    };
  }

  private stamp(): string {
    this.lastStampMs = Math.max(this.now(), this.lastStampMs + 1);
    return formatTimestamp(this.lastStampMs);
  }
}
