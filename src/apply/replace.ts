/**
 * A provider change, without a gap. Workato cannot change a profile's provider in
 * place, and a PUT needs the profile's client secret, which the tool does not have
 * for the old profile (the config now holds the new one's). So the old profile keeps
 * its name and secret until it is deleted, and the new one comes in beside it:
 *
 *   1. create the new profile under a temporary name (or re-put the one an
 *      interrupted apply made), recorded with `rename_to` so a re-run finds it;
 *   2. move each customer: assign the new profile, then unassign the old one (two
 *      providers are two applications, so a customer may hold both for a moment);
 *   3. unassign the old profile from the customers that are not moved;
 *   4. delete the old profile;
 *   5. rename the new profile to the config's name.
 *
 * Every call is recorded as it lands. A failure stops before step 4, so every
 * customer is on the old profile or the new one, and the next plan finishes the move.
 */
import pLimit from 'p-limit';
import { StateError } from '../errors.js';
import type { ProfileChange } from '../plan/types.js';
import { describeError, type Run } from './execute.js';

export async function runReplace(run: Run, change: ProfileChange): Promise<string | undefined> {
  const { client, recorder } = run.ctx;
  const name = change.profile;
  const oldName = change.renamedFrom ?? name;
  const tempName = change.replacementName!;
  const oldId = change.id!;

  const body = run.input(change, tempName);
  const made =
    change.replacementId === undefined
      ? await client.createProfile(body)
      : await client.updateProfile(change.replacementId, body);
  await run.record(tempName, made, { renameTo: name });

  const forced = new Set(change.forced ?? []);
  const failures: string[] = [];
  const notes: string[] = [];
  const attempt = async (customer: string, step: () => Promise<string | undefined>) => {
    try {
      const note = await step();
      if (note !== undefined) notes.push(note);
    } catch (error) {
      if (error instanceof StateError) throw error;
      failures.push(`${customer}: ${describeError(error)}`);
    }
  };
  const limit = pLimit(run.ctx.concurrency);
  await Promise.all([
    ...(change.moves ?? []).map((customer) =>
      limit(() =>
        attempt(customer, async () => {
          await run.assign(customer, tempName, made.id);
          return run.unassign(customer, oldName, oldId, forced.has(customer));
        }),
      ),
    ),
    ...(change.unassignFrom ?? []).map((customer) =>
      limit(() => attempt(customer, () => run.unassign(customer, oldName, oldId, forced.has(customer)))),
    ),
  ]);
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} customer(s) still hold the old profile (id ${oldId}), which is kept; the others are on the new one (id ${made.id}, "${tempName}"); apply again to finish: ${failures.join('; ')}`,
    );
  }

  await client.deleteProfile(oldId);
  await recorder.forgetProfile(oldName);
  const renamed = await client.updateProfile(made.id, run.input(change));
  await recorder.renameProfile(tempName, name);
  await run.record(name, renamed);
  return notes.length > 0 ? notes.join('; ') : undefined;
}
