import type { LiveProfile } from '../api/types.js';
import type { DesiredState } from '../config/types.js';
import { forgetProfileAssignments } from '../state/customers.js';
import type { State } from '../state/types.js';
import { dropUnwantedEmptyCustomers } from '../workflow/verified-customers.js';

/**
 * State-only corrections that need no API call, applied before the changes:
 * profiles gone from Workato are forgotten (with what the tool had assigned of
 * them), customers the config no longer gives anything are forgotten once they
 * hold nothing, and `prevent_destroy` follows the config, so that removing a guarded
 * profile takes two reviewed steps. Returns whether anything changed.
 */
export function reconcileBookkeeping(
  state: State,
  desired: DesiredState,
  live: readonly LiveProfile[],
): boolean {
  let changed = false;
  const liveIds = new Set(live.map((p) => p.id));
  for (const [name, profile] of Object.entries(state.profiles)) {
    // By id only: a profile deleted and made again by hand under its name is another profile.
    if (liveIds.has(profile.id)) continue;
    delete state.profiles[name];
    forgetProfileAssignments(state, name);
    changed = true;
  }
  // Customers checked to exist stay while the config still gives them something.
  if (dropUnwantedEmptyCustomers(state, desired)) changed = true;
  for (const profile of desired.profiles) {
    const recorded = state.profiles[profile.name];
    if (recorded && recorded.prevent_destroy !== profile.preventDestroy) {
      recorded.prevent_destroy = profile.preventDestroy;
      changed = true;
    }
  }
  return changed;
}
