/**
 * The executor: runs a plan's changes one step at a time, in the design's order,
 * with bounded concurrency inside a step (the client paces the requests). Each
 * change ends as a value, done / failed / skipped, never as a thrown error, so one
 * failure stops only what depends on it.
 */
import pLimit from 'p-limit';
import { ApiError } from '../api/errors.js';
import type { ProfileInput, WorkatoClient } from '../api/types.js';
import { parseCustomerKey } from '../config/types.js';
import { StateError } from '../errors.js';
import { type AssignmentChange, type Change, type Plan, type ProfileChange, STEPS } from '../plan/types.js';
import type { Fingerprints, StateRecorder } from './recorder.js';

export type Outcome =
  | { status: 'done'; change: Change }
  | { status: 'failed'; change: Change; reason: string }
  | { status: 'skipped'; change: Change; reason: string };

export interface ExecuteContext {
  client: WorkatoClient;
  recorder: StateRecorder;
  /** The full create/update body, secrets included, for a profile of the plan. */
  profileInput(name: string): ProfileInput;
  /** Fingerprints of the secrets profileInput() puts, for the state. */
  fingerprints(name: string): Fingerprints;
  preventDestroy(name: string): boolean;
  /** force=true for unassigns done on behalf of a replace, per customer. */
  forceFor(customer: string): boolean;
  /** --force-unassign: every unassign uses force. */
  forceUnassignAll: boolean;
  /** Customers verified while planning: their numeric ids go into the state. */
  customers: Readonly<Record<string, { id: number; external_id: string | null }>>;
  concurrency: number;
  signal?: AbortSignal;
  onOutcome?(outcome: Outcome): void;
}

const PAST_TENSE: Record<ProfileChange['action'], string> = {
  create: 'created',
  adopt: 'adopted',
  update: 'updated',
  replace: 'replaced',
  delete: 'deleted',
};

function describeError(error: unknown): string {
  if (error instanceof ApiError && error.inUse) {
    return `${error.message} (set force_unassign: true on the customer, or pass --force-unassign)`;
  }
  return error instanceof Error ? error.message : String(error);
}

class Run {
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
      if (c.kind === 'profile' && (c.action === 'create' || c.action === 'adopt' || c.action === 'replace')) {
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
    if (change.kind === 'assignment' && change.action !== 'unassign') {
      const made = this.#makes.get(change.profile);
      if (made && notDone(made)) return `${made.address} was not ${PAST_TENSE[made.action]}`;
    }
    if (change.kind === 'profile' && change.action === 'delete') {
      const stuck = (this.#leaving.get(change.profile) ?? []).filter(notDone);
      if (stuck.length > 0) return `it is still assigned (${stuck.length} unassign(s) did not happen)`;
    }
    return undefined;
  }

  async runOne(change: Change): Promise<Outcome> {
    if (this.ctx.signal?.aborted)
      return { status: 'skipped', change, reason: 'interrupted before it started' };
    const blocked = this.blockedBy(change);
    if (blocked) return { status: 'skipped', change, reason: blocked };
    try {
      if (change.kind === 'profile') await this.runProfile(change);
      else await this.runAssignment(change);
      return { status: 'done', change };
    } catch (error) {
      // Without its state the run cannot go on safely: stop everything.
      if (error instanceof StateError) throw error;
      if (error instanceof ApiError && error.network === 'stopped') {
        return { status: 'skipped', change, reason: 'interrupted before it was sent' };
      }
      return { status: 'failed', change, reason: describeError(error) };
    }
  }

  async unassign(customer: string, profile: string, id: number, force: boolean): Promise<void> {
    await this.ctx.client.unassignProfile(parseCustomerKey(customer), id, {
      force: force || this.ctx.forceUnassignAll,
    });
    await this.ctx.recorder.recordUnassignment(customer, profile);
  }

  async runProfile(change: ProfileChange): Promise<void> {
    const { client, recorder } = this.ctx;
    const name = change.profile;
    const record = (live: Awaited<ReturnType<WorkatoClient['createProfile']>>) =>
      recorder.recordProfile(name, live, this.ctx.fingerprints(name), this.ctx.preventDestroy(name));
    switch (change.action) {
      case 'create':
        await record(await client.createProfile(this.ctx.profileInput(name)));
        return;
      case 'adopt':
      case 'update':
        await record(await client.updateProfile(change.id!, this.ctx.profileInput(name)));
        return;
      case 'replace':
        // A profile's provider cannot change in place: leave every customer, delete, create anew.
        for (const customer of change.unassignFrom ?? []) {
          await this.unassign(customer, name, change.id!, this.ctx.forceFor(customer));
        }
        await client.deleteProfile(change.id!);
        await recorder.forgetProfile(name);
        await record(await client.createProfile(this.ctx.profileInput(name)));
        return;
      case 'delete':
        await client.deleteProfile(change.id!);
        await recorder.forgetProfile(name);
        return;
    }
  }

  async runAssignment(change: AssignmentChange): Promise<void> {
    const { client, recorder } = this.ctx;
    const id = this.profileId(change.profile);
    if (id === undefined) throw new Error(`profile "${change.profile}" is not in the state`);
    const ref = parseCustomerKey(change.customer);
    switch (change.action) {
      case 'swap': {
        // One profile per provider per customer: the old one leaves before the new one comes.
        const previousId = this.profileId(change.previous!);
        if (previousId !== undefined) {
          await this.unassign(change.customer, change.previous!, previousId, change.force === true);
        }
        await client.assignProfile(ref, id);
        await recorder.recordAssignment(change.customer, change.profile, this.ctx.customers[change.customer]);
        return;
      }
      case 'assign':
        await client.assignProfile(ref, id);
        await recorder.recordAssignment(change.customer, change.profile, this.ctx.customers[change.customer]);
        return;
      case 'unassign':
        await this.unassign(change.customer, change.profile, id, change.force === true);
        return;
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
