/**
 * The executor: runs a plan's changes one step at a time, in the design's order,
 * with bounded concurrency inside a step (the client paces the requests). Each
 * change ends as a value, done / failed / skipped, never as a thrown error, so one
 * failure stops only what depends on it.
 */
import pLimit from 'p-limit';
import { ApiError } from '../api/errors.js';
import type { LiveProfile, ProfileInput, WorkatoClient } from '../api/types.js';
import { parseCustomerKey } from '../customer-ref.js';
import { StateError } from '../errors.js';
import {
  type AssignmentChange,
  type Change,
  type Outcome,
  type Plan,
  type ProfileChange,
  STEPS,
} from '../plan/types.js';

export type { Outcome };

import type { Fingerprints, StateRecorder } from './recorder.js';
import { runReplace } from './replace.js';

export interface ExecuteContext {
  client: WorkatoClient;
  recorder: StateRecorder;
  /** The full create/update body, secrets included, for a profile of the plan. */
  profileInput(name: string): ProfileInput;
  /** Fingerprints of the secrets profileInput() puts, for the state. */
  fingerprints(name: string): Fingerprints;
  preventDestroy(name: string): boolean;
  /** Customers verified while planning: their numeric ids go into the state. */
  customers: Readonly<Record<string, { id: number; external_id: string | null }>>;
  concurrency: number;
  signal?: AbortSignal;
  /** Why `signal` aborted, when the apply stopped itself (not Ctrl-C): said on each change left. */
  stopReason?(): string | undefined;
  onOutcome?(outcome: Outcome): void;
}

const PAST_TENSE: Record<ProfileChange['action'], string> = {
  create: 'created',
  adopt: 'adopted',
  update: 'updated',
  replace: 'replaced',
  delete: 'deleted',
};

export function describeError(error: unknown): string {
  if (error instanceof ApiError && error.inUse) {
    return `${error.message} (set force_unassign: true on the customer, or pass --force-unassign)`;
  }
  return error instanceof Error ? error.message : String(error);
}

export class Run {
  readonly outcomes = new Map<Change, Outcome>();
  /** The change that brings each profile into being, if the plan has one. */
  readonly #makes = new Map<string, ProfileChange>();
  /** The changes that take each profile away from customers (its unassigns, swaps away from it). */
  readonly #leaving = new Map<string, AssignmentChange[]>();

  constructor(
    readonly plan: Plan,
    readonly ctx: ExecuteContext,
  ) {
    // Indexed once: a first onboarding can hold tens of thousands of assigns.
    for (const c of plan.changes) {
      // What gives a profile its name: an assignment by that name waits for it.
      if (
        c.kind === 'profile' &&
        (c.action === 'create' ||
          c.action === 'adopt' ||
          c.action === 'replace' ||
          c.renamedFrom !== undefined)
      ) {
        this.#makes.set(c.profile, c);
      }
      const leaves = c.kind === 'assignment' ? (c.action === 'unassign' ? c.profile : c.previous) : undefined;
      if (c.kind === 'assignment' && leaves !== undefined) {
        const list = this.#leaving.get(leaves) ?? [];
        list.push(c);
        this.#leaving.set(leaves, list);
      }
    }
  }

  profileId(name: string): number | undefined {
    return this.ctx.recorder.state.profiles[name]?.id;
  }

  /** Why `change` cannot run because something it depends on did not happen, if so. */
  blockedBy(change: Change): string | undefined {
    const notDone = (c: Change) => this.outcomes.get(c)?.status !== 'done';
    if (change.kind === 'assignment') {
      for (const name of [change.profile, change.previous]) {
        const made = name === undefined ? undefined : this.#makes.get(name);
        if (made && notDone(made)) return `${made.address} was not ${PAST_TENSE[made.action]}`;
      }
    }
    if (change.kind === 'profile' && change.action === 'delete') {
      const stuck = (this.#leaving.get(change.profile) ?? []).filter(notDone);
      if (stuck.length > 0) return `it is still assigned (${stuck.length} unassign(s) did not happen)`;
    }
    return undefined;
  }

  async runOne(change: Change): Promise<Outcome> {
    if (this.ctx.signal?.aborted) {
      // The apply's own reason to stop when it gave one (the lock was taken over); else Ctrl-C.
      return {
        status: 'skipped',
        change,
        reason: `${this.ctx.stopReason?.() ?? 'interrupted'} before it started`,
      };
    }
    const blocked = this.blockedBy(change);
    if (blocked) return { status: 'skipped', change, reason: blocked };
    try {
      const note =
        change.kind === 'profile' ? await this.runProfile(change) : await this.runAssignment(change);
      return note === undefined ? { status: 'done', change } : { status: 'done', change, note };
    } catch (error) {
      // Without its state the run cannot go on safely: stop everything.
      if (error instanceof StateError) throw error;
      if (error instanceof ApiError && error.network === 'stopped') {
        return { status: 'skipped', change, reason: 'interrupted before it was sent' };
      }
      return { status: 'failed', change, reason: describeError(error) };
    }
  }

  /**
   * Unassigns and records it. A customer deleted in Workato holds nothing: the goal
   * holds, so it is forgotten and the note says so. Returns that note, if any.
   */
  async unassign(customer: string, profile: string, id: number, force: boolean): Promise<string | undefined> {
    const ref = parseCustomerKey(customer);
    try {
      await this.ctx.client.unassignProfile(ref, id, { force });
    } catch (error) {
      if (!(await this.customerIsGone(error, customer))) throw error;
      await this.ctx.recorder.forgetCustomer(customer);
      return `customer ${customer} no longer exists in Workato; forgotten`;
    }
    await this.ctx.recorder.recordUnassignment(customer, profile);
    return undefined;
  }

  /** A 404 may name the profile or the customer; one GET of the customer tells which. */
  async customerIsGone(error: unknown, customer: string): Promise<boolean> {
    if (!(error instanceof ApiError) || error.status !== 404) return false;
    try {
      await this.ctx.client.getCustomer(parseCustomerKey(customer));
      return false;
    } catch (lookup) {
      if (lookup instanceof ApiError && lookup.status === 404) return true;
      throw lookup;
    }
  }

  async assign(customer: string, stateName: string, id: number): Promise<void> {
    try {
      await this.ctx.client.assignProfile(parseCustomerKey(customer), id);
    } catch (error) {
      if (await this.customerIsGone(error, customer)) {
        throw new Error(
          `customer ${customer} no longer exists in Workato; remove it from the config (${describeError(error)})`,
        );
      }
      throw error;
    }
    await this.ctx.recorder.recordAssignment(customer, stateName, this.ctx.customers[customer]);
  }

  input(change: ProfileChange, name = change.profile): ProfileInput {
    return { ...this.ctx.profileInput(change.profile), name };
  }

  async record(stateName: string, live: LiveProfile, options: { renameTo?: string } = {}): Promise<void> {
    const name = options.renameTo ?? stateName;
    await this.ctx.recorder.recordProfile(stateName, live, this.ctx.fingerprints(name), {
      preventDestroy: this.ctx.preventDestroy(name),
      ...(options.renameTo === undefined ? {} : { renameTo: options.renameTo }),
    });
  }

  async runProfile(change: ProfileChange): Promise<string | undefined> {
    const { client, recorder } = this.ctx;
    const name = change.profile;
    switch (change.action) {
      case 'create':
        await this.record(name, await client.createProfile(this.input(change)));
        return undefined;
      case 'adopt':
        await this.record(name, await client.updateProfile(change.id!, this.input(change)));
        return undefined;
      case 'update': {
        const live = await client.updateProfile(change.id!, this.input(change));
        if (change.renamedFrom !== undefined) await recorder.renameProfile(change.renamedFrom, name);
        await this.record(name, live);
        return undefined;
      }
      case 'replace':
        return runReplace(this, change);
      case 'delete':
        await client.deleteProfile(change.id!);
        await recorder.forgetProfile(name);
        return undefined;
    }
  }

  async runAssignment(change: AssignmentChange): Promise<string | undefined> {
    const id = this.profileId(change.profile);
    if (id === undefined) throw new Error(`profile "${change.profile}" is not in the state`);
    switch (change.action) {
      case 'swap': {
        // One profile per provider per customer: the old one leaves before the new one comes.
        const previousId = this.profileId(change.previous!);
        if (previousId !== undefined) {
          const note = await this.unassign(
            change.customer,
            change.previous!,
            previousId,
            change.force === true,
          );
          if (note !== undefined) return note;
        }
        await this.assign(change.customer, change.profile, id);
        return undefined;
      }
      case 'assign':
        await this.assign(change.customer, change.profile, id);
        return undefined;
      case 'unassign':
        return this.unassign(change.customer, change.profile, id, change.force === true);
    }
  }
}

/** Runs the plan; resolves with one outcome per change, in plan order. */
export async function executePlan(plan: Plan, ctx: ExecuteContext): Promise<Outcome[]> {
  const run = new Run(plan, ctx);
  const limit = pLimit(ctx.concurrency);
  for (const step of STEPS) {
    const changes = plan.changes.filter((c) => step.includes(c.action));
    await Promise.all(
      changes.map((change) =>
        limit(async () => {
          const outcome = await run.runOne(change);
          run.outcomes.set(change, outcome);
          ctx.onOutcome?.(outcome);
        }),
      ),
    );
  }
  return plan.changes.map((c) => run.outcomes.get(c)!);
}
