/**
 * Customers checked to exist are remembered in the state, so that no later run
 * checks them again: a state customer whose `profiles` is empty is one found to
 * exist and not (yet) given anything. `plan` records what it checked (taking the
 * lock only if it is free, and only when the state has not moved since it was
 * read), so the `apply` that follows a reviewed `plan` makes no second round of
 * checks; `apply` records what its own plan checked with its first write.
 *
 * Terraform's plan writes no state; this one does, for these facts only: they
 * change no assignment, and cost one call per customer (or per 100) to learn again.
 */
import { relative } from 'node:path';
import type { DesiredState } from '../config/types.js';
import { RefusedError, StateConflictError } from '../errors.js';
import type { Io } from '../io.js';
import { indexStateCustomers } from '../state/customers.js';
import type { StateLock } from '../state/lock.js';
import type { CustomerListingRecord, State } from '../state/types.js';
import type { LiveState } from './live.js';
import { rememberCustomerListing } from './rule-resolution.js';
import type { BackendState } from './state-backend.js';

/** Adds the customers just checked that the state does not know yet. Returns how many it added. */
export function rememberVerifiedCustomers(state: State, verified: LiveState['customers']): number {
  const known = indexStateCustomers(state);
  let added = 0;
  for (const [key, customer] of verified) {
    // By either id: the state may know this customer under its other one.
    const byId = known({ id: customer.id });
    const byExternal =
      customer.external_id === null ? undefined : known({ externalId: customer.external_id });
    if (state.customers[key] || byId !== undefined || byExternal !== undefined) continue;
    state.customers[key] = {
      id: customer.id,
      ...(customer.external_id === null ? {} : { external_id: customer.external_id }),
      profiles: [],
    };
    added += 1;
  }
  return added;
}

/**
 * Drops the customers that hold nothing from the tool and that the config gives
 * nothing either: a checked customer is remembered while the config still wants
 * to assign it something. Returns whether any was dropped.
 */
export function dropUnwantedEmptyCustomers(state: State, desired: DesiredState): boolean {
  const resolve = indexStateCustomers(state);
  const wanted = new Set<string>();
  for (const customer of desired.customers) {
    if (customer.profiles.length === 0) continue;
    const key = resolve(customer.ref);
    if (key !== undefined) wanted.add(key);
  }
  let dropped = false;
  for (const [key, customer] of Object.entries(state.customers)) {
    if (customer.profiles.length === 0 && !wanted.has(key)) {
      delete state.customers[key];
      dropped = true;
    }
  }
  return dropped;
}

/**
 * `plan`: writes the customers it checked into the state file, when the lock is
 * free and the file is still the one the plan was made against; `loaded` then
 * describes the file as written (a saved plan names that serial). Anything in the
 * way leaves the state as it was and says so in one line: apply checks them again.
 */
export async function recordVerifiedCustomers(
  loaded: BackendState,
  verified: LiveState['customers'],
  io: Io,
  /** With rules: the customer list as read, recorded too so the next listing can read only its tail. */
  listing?: CustomerListingRecord,
): Promise<void> {
  const listed = listing !== undefined && rememberCustomerListing(structuredClone(loaded.state), listing);
  if (verified.size === 0 && !listed) return;
  const what =
    verified.size === 0
      ? 'the customer listing was not recorded in the state (REASON); apply will list the customers in full'
      : `the ${verified.size} customer(s) found to exist were not recorded in the state (REASON); apply will check them again`;
  const note = (reason: string) => {
    if (!io.quiet) io.err(`Note: ${what.replace('REASON', () => reason)}.\n`);
  };
  // A journal left by a stopped apply is in `loaded.state` but not in the file: writing
  // the file now would leave that journal behind as stale. The next apply folds it first.
  if (loaded.replayed > 0) return note('a journal left by a stopped apply is waiting for the next apply');
  let lock: StateLock | undefined;
  try {
    lock = await loaded.backend.lock({ timeoutSeconds: 0, operation: 'plan', onMessage: () => {} });
    // An apply that stopped after this plan read the state left a journal on it: a write
    // now would orphan what that journal holds. The next apply folds it first. Asked of
    // the journal alone: re-reading the state to learn it cost 0.65 s at 100k customers.
    if (((await loaded.backend.pendingRecords?.(loaded.version)) ?? 0) > 0) {
      return note('a journal left by a stopped apply is waiting for the next apply');
    }
    // Unmoved, the state plus what planning just checked is the state in memory: planAgainst
    // added the checked customers to `loaded.state` (adding them again here would look up
    // every one of them for nothing, 0.3 s at 100k). A shallow copy, not a clone of 100k customers.
    const next = { ...loaded.state };
    rememberCustomerListing(next, listing);
    next.serial = loaded.state.serial + 1;
    // A compare-and-swap on the version planned against: refused if anyone wrote since.
    loaded.version = await loaded.backend.write(
      next,
      loaded.version,
      `workato-oauth plan: recorded ${verified.size} customer(s) found to exist`,
    );
    loaded.state = next;
    loaded.exists = true;
    if (!io.quiet && verified.size > 0) {
      io.err(
        `Recorded ${verified.size} customer(s) found to exist in ${loaded.backend.kind === 'local' ? relative(io.cwd, loaded.path) || loaded.path : loaded.path}; apply will not check them again.\n`,
      );
    }
  } catch (error) {
    // Refused: the lock is held (by an apply, most likely); its advice to wait is not for plan.
    if (error instanceof RefusedError) note('the state is locked by another run');
    else if (error instanceof StateConflictError) note('the state changed while planning');
    else note(firstLine(error));
  } finally {
    await lock?.release();
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}
