/** The profile pass's result, which the assignment pass reads (src/plan/profiles.ts makes it). */
import type { DesiredProfile } from '../config/types.js';
import type { DriftFinding, ProfileChange, UnmanagedProfile, Warning } from './types.js';

/** What the profile pass hands to the assignment pass. */
export interface ProfilePass {
  changes: ProfileChange[];
  warnings: Warning[];
  drift: DriftFinding[];
  /** Contradictions no plan can resolve: the planner throws PlanError with them. */
  reasons: string[];
  /**
   * State profile name -> the name its recorded holdings count as in the assignment
   * plan (a config profile's name, or its own for a profile being deleted). Names
   * absent here have holdings that count for nothing: the profile is gone, adopted
   * anew, or its holders are moved by a replace.
   */
  holdsAs: Map<string, string>;
  /** Provider per name of holdsAs' values. */
  providerOf: Map<string, string>;
  /** Live `shared_accounts_count` per name of holdsAs' values. */
  connections: Map<string, number>;
  /** Replaces, whose moves the assignment pass fills in. */
  replaces: PendingReplace[];
  unmanaged: UnmanagedProfile[];
  managedFound: { recorded: number; live: number };
}

export interface PendingReplace {
  change: ProfileChange;
  want: DesiredProfile;
  /** The state's name for the old profile. */
  oldName: string;
  /** The state's name for a replacement made by an interrupted apply, if it recorded one. */
  replacementStateName?: string;
}
