import type { LiveProfile } from '../api/types.js';
import type { UnmanagedProfile, Warning } from './types.js';

/**
 * Live profiles nobody manages (`claimed` holds the ids the plan matched). One named
 * like a managed profile is a duplicate: listed, warned about, and left alone.
 */
export function findUnmanaged(
  live: readonly LiveProfile[],
  claimed: ReadonlySet<number>,
  desiredNames: ReadonlySet<string>,
): { unmanaged: UnmanagedProfile[]; warnings: Warning[] } {
  const managedNames = new Set<string>(desiredNames);
  for (const p of live) if (claimed.has(p.id)) managedNames.add(p.name);
  const unmanaged: UnmanagedProfile[] = [];
  const warnings: Warning[] = [];
  for (const p of [...live].sort((a, b) => a.id - b.id)) {
    if (claimed.has(p.id)) continue;
    const duplicate = managedNames.has(p.name);
    unmanaged.push({
      id: p.id,
      name: p.name,
      provider: p.provider,
      ...(duplicate ? { duplicateOf: p.name } : {}),
    });
    if (duplicate) {
      warnings.push({
        code: 'duplicate-name',
        // The tool never deletes what it does not manage; the user can, knowing which one.
        message: `Workato has another profile named "${p.name}" (id ${p.id}) that workato-oauth does not manage; it is left alone. If it is a duplicate, remove it in Workato or with: curl -X DELETE -H "Authorization: Bearer $WORKATO_API_TOKEN" "\${WORKATO_API_URL:-https://www.workato.com}/api/custom_oauth_profiles/${p.id}" (the base URL of your data center)`,
      });
    }
  }
  return { unmanaged, warnings };
}
