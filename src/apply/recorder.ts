/**
 * Keeps the state in memory during an apply and writes it after every successful
 * call, atomically, so a kill at any moment loses at most the calls in flight.
 * Concurrent calls share writes: each waits until a write that includes its own
 * change has landed, and no two writes overlap.
 */
import type { LiveProfile } from '../api/types.js';
import { customerKey, parseCustomerKey } from '../customer-ref.js';
import { StateError } from '../errors.js';
import { findStateCustomerKey, forgetProfileAssignments } from '../state/customers.js';
import { writeState } from '../state/store.js';
import type { State, StateCustomer } from '../state/types.js';

export interface Fingerprints {
  client_secret?: string;
  token?: string;
}

export class StateRecorder {
  #state: State;
  readonly #path: string;
  #generation = 0;
  #written = 0;
  #writing: Promise<void> | undefined;

  constructor(path: string, state: State) {
    this.#path = path;
    this.#state = structuredClone(state);
  }

  get state(): State {
    return this.#state;
  }

  /** Applies `mutate` to the state and resolves once it is on disk. */
  async commit(mutate: (state: State) => void): Promise<void> {
    mutate(this.#state);
    this.#generation += 1;
    await this.#flush(this.#generation);
  }

  async #flush(target: number): Promise<void> {
    while (this.#written < target) {
      if (!this.#writing) {
        const generation = this.#generation;
        this.#writing = writeState(this.#path, this.#state)
          .then((written) => {
            this.#state.serial = written.serial;
            this.#written = generation;
          })
          .catch((error: unknown) => {
            // writeState already says what went wrong, in one line.
            if (error instanceof StateError) throw error;
            throw new StateError(`cannot write the state file ${this.#path}: ${(error as Error).message}`, {
              cause: error,
            });
          })
          .finally(() => {
            this.#writing = undefined;
          });
      }
      await this.#writing;
    }
  }

  /** `renameTo`: a replacement under a temporary name, and the name it takes when the replace ends. */
  recordProfile(
    name: string,
    live: LiveProfile,
    fingerprints: Fingerprints,
    options: { preventDestroy: boolean; renameTo?: string },
  ): Promise<void> {
    return this.commit((state) => {
      state.profiles[name] = {
        id: live.id,
        provider: live.provider,
        client_id: live.data.client_id,
        updated_at: live.updated_at,
        ...(fingerprints.client_secret ? { client_secret_fingerprint: fingerprints.client_secret } : {}),
        ...(fingerprints.token ? { token_fingerprint: fingerprints.token } : {}),
        prevent_destroy: options.preventDestroy,
        ...(options.renameTo === undefined ? {} : { rename_to: options.renameTo }),
      };
    });
  }

  /** The profile now has another name in Workato: its record and every customer's holding follow. */
  renameProfile(from: string, to: string): Promise<void> {
    return this.commit((state) => {
      const record = state.profiles[from];
      if (!record || from === to) return;
      delete state.profiles[from];
      const { rename_to: _done, ...rest } = record;
      state.profiles[to] = rest;
      for (const customer of Object.values(state.customers)) {
        if (!customer.profiles.includes(from)) continue;
        customer.profiles = [...new Set(customer.profiles.map((p) => (p === from ? to : p)))].sort();
      }
    });
  }

  /** The customer no longer exists in Workato: nothing it held is held any more. */
  forgetCustomer(key: string): Promise<void> {
    return this.commit((state) => {
      const found = findStateCustomerKey(state, key);
      if (found !== undefined) delete state.customers[found];
    });
  }

  forgetProfile(name: string): Promise<void> {
    return this.commit((state) => {
      delete state.profiles[name];
      forgetProfileAssignments(state, name);
    });
  }

  recordAssignment(
    key: string,
    profile: string,
    known?: { id: number; external_id: string | null },
  ): Promise<void> {
    return this.commit((state) => {
      const customer = findOrAddCustomer(state, key);
      if (known) {
        customer.id = known.id;
        if (known.external_id !== null) customer.external_id = known.external_id;
      }
      if (!customer.profiles.includes(profile)) customer.profiles = [...customer.profiles, profile].sort();
    });
  }

  recordUnassignment(key: string, profile: string): Promise<void> {
    return this.commit((state) => {
      const found = findStateCustomerKey(state, key);
      const customer = found === undefined ? undefined : state.customers[found];
      if (!customer) return;
      customer.profiles = customer.profiles.filter((p) => p !== profile);
      // Only this one: others holding nothing are customers checked to exist, awaiting an assign.
      if (customer.profiles.length === 0) delete state.customers[found!];
    });
  }
}

function findOrAddCustomer(state: State, key: string): StateCustomer {
  const found = findStateCustomerKey(state, key);
  if (found !== undefined) return state.customers[found]!;
  const ref = parseCustomerKey(key);
  const customer: StateCustomer = {
    ...('id' in ref ? { id: ref.id } : { external_id: ref.externalId }),
    profiles: [],
  };
  state.customers[customerKey(ref)] = customer;
  return customer;
}
