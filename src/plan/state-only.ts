/**
 * State-only edits: what apply's bookkeeping (src/apply/bookkeeping.ts) rewrites in
 * the state without an API call, found the same way, so the plan shows exactly
 * what apply will write. Pure.
 */
import type { LiveProfile } from '../api/types.js';
import type { DesiredState } from '../config/types.js';
import type { State } from '../state/types.js';
import { profileAddress, type StateOnlyChange } from './types.js';

export function planStateOnly(
  desired: DesiredState,
  state: State,
  live: readonly LiveProfile[],
): StateOnlyChange[] {
  const liveIds = new Set(live.map((p) => p.id));
  const edits: StateOnlyChange[] = [];
  for (const profile of desired.profiles) {
    const recorded = Object.hasOwn(state.profiles, profile.name) ? state.profiles[profile.name] : undefined;
    // A record whose profile is gone from Workato is forgotten, not edited.
    if (!recorded || !liveIds.has(recorded.id)) continue;
    if (recorded.prevent_destroy !== profile.preventDestroy) {
      edits.push({
        address: profileAddress(profile.name),
        profile: profile.name,
        field: 'prevent_destroy',
        before: recorded.prevent_destroy,
        after: profile.preventDestroy,
      });
    }
  }
  return edits.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
