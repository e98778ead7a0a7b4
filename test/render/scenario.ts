/**
 * Hand-built plans for the renderer tests. The scenario holds every kind of change
 * once, and one of each thing a change or the plan can carry (drift, a rename, a
 * replace that moves customers, refusals, force, connections in use, a reassert, an
 * unmanaged duplicate); its golden files (golden/scenario.*) are the renderers' spec,
 * read by eye.
 */
import { estimateSeconds } from '../../src/plan/cost.js';
import {
  type AssignmentChange,
  assignmentAddress,
  type Plan,
  type ProfileChange,
  profileAddress,
  SENSITIVE,
  sortChanges,
  UNKNOWN,
} from '../../src/plan/types.js';

function assignment(
  action: AssignmentChange['action'],
  customer: string,
  profile: string,
  extra: Partial<AssignmentChange> = {},
): AssignmentChange {
  return {
    kind: 'assignment',
    action,
    address: assignmentAddress(customer, profile),
    customer,
    profile,
    ...extra,
  };
}

function profile(change: Omit<ProfileChange, 'kind' | 'address'>): ProfileChange {
  return { kind: 'profile', address: profileAddress(change.profile), ...change };
}

export function makeScenarioPlan(): Plan {
  const changes = [
    profile({
      action: 'create',
      profile: 'HubSpot EU',
      after: { name: 'HubSpot EU', provider: 'hubspot', client_id: 'eu-7f3a', client_secret: SENSITIVE },
      secretRefs: { client_secret: 'HUBSPOT_EU_CLIENT_SECRET' },
    }),
    profile({
      action: 'adopt',
      profile: 'Salesforce',
      id: 321,
      before: { name: 'Salesforce', provider: 'salesforce', client_id: 'sf-live-id' },
      after: {
        name: 'Salesforce',
        provider: 'salesforce',
        client_id: 'sf-config-id',
        client_secret: SENSITIVE,
      },
      changed: ['client_id', 'client_secret'],
      secretRefs: { client_secret: 'SALESFORCE_CLIENT_SECRET' },
    }),
    profile({
      action: 'update',
      profile: 'HubSpot US',
      id: 101,
      before: { name: 'HubSpot US', provider: 'hubspot', client_id: 'us-old', client_secret: SENSITIVE },
      after: { name: 'HubSpot US', provider: 'hubspot', client_id: 'us-new', client_secret: SENSITIVE },
      changed: ['client_id', 'client_secret'],
      secretRefs: { client_secret: 'HUBSPOT_US_CLIENT_SECRET' },
    }),
    profile({
      action: 'update',
      profile: 'Slack',
      id: 102,
      before: {
        name: 'Slack',
        provider: 'slack',
        client_id: 'slack-app',
        client_secret: SENSITIVE,
        token: SENSITIVE,
      },
      after: {
        name: 'Slack',
        provider: 'slack',
        client_id: 'slack-app',
        client_secret: UNKNOWN,
        token: SENSITIVE,
      },
      changed: ['token'],
      unknown: ['client_secret'],
      secretRefs: { client_secret: 'SLACK_CLIENT_SECRET', token: 'SLACK_BOT_TOKEN' },
    }),
    // Modified outside the tool: the secrets are re-sent, one of them unset in this run.
    profile({
      action: 'update',
      profile: 'Slack Support',
      id: 104,
      before: {
        name: 'Slack Support',
        provider: 'slack',
        client_id: 'support-app',
        client_secret: SENSITIVE,
        token: SENSITIVE,
      },
      after: {
        name: 'Slack Support',
        provider: 'slack',
        client_id: 'support-app',
        client_secret: SENSITIVE,
        token: UNKNOWN,
      },
      changed: ['client_secret', 'token'],
      unknown: ['token'],
      secretRefs: { client_secret: 'SLACK_SUPPORT_CLIENT_SECRET', token: 'SLACK_SUPPORT_TOKEN' },
      drift: 'modified outside workato-oauth: updated_at 2025-03-01T09:00:00Z -> 2025-03-04T16:20:11Z',
    }),
    profile({
      action: 'update',
      profile: 'HubSpot Partners',
      id: 105,
      before: {
        name: 'HubSpot Partner',
        provider: 'hubspot',
        client_id: 'partners-id',
        client_secret: SENSITIVE,
      },
      after: {
        name: 'HubSpot Partners',
        provider: 'hubspot',
        client_id: 'partners-id',
        client_secret: SENSITIVE,
      },
      changed: ['name'],
      secretRefs: { client_secret: 'HUBSPOT_PARTNERS_CLIENT_SECRET' },
      renamedFrom: 'HubSpot Partner',
    }),
    // Refused: Workato counts a customer on it that the state does not know, who would be left behind.
    profile({
      action: 'replace',
      profile: 'Salesforce Sandbox',
      id: 103,
      before: {
        name: 'Salesforce Sandbox',
        provider: 'salesforce',
        client_id: 'sbx-id',
        client_secret: SENSITIVE,
      },
      after: {
        name: 'Salesforce Sandbox',
        provider: 'salesforce_secondary',
        client_id: 'sbx-id',
        client_secret: SENSITIVE,
      },
      changed: ['provider'],
      secretRefs: { client_secret: 'SALESFORCE_SANDBOX_CLIENT_SECRET' },
      moves: ['4242', 'E:A100', 'E:A101'],
      unassignFrom: ['E:A102'],
      forced: ['E:A101', 'E:A102'],
      replacementName: 'Salesforce Sandbox (replacing id 103)',
      preventDestroy: false,
      customerCount: { live: 5, known: 4 },
      refused:
        'the state does not know every customer Workato counts on it, and the replace would leave those without the profile; run `workato-oauth apply --reassert` first',
    }),
    // The end of an interrupted replace: the new profile exists, its customer still to move.
    profile({
      action: 'replace',
      profile: 'Zoom',
      id: 106,
      before: { name: 'Zoom', provider: 'zoom', client_id: 'zoom-id', client_secret: SENSITIVE },
      after: { name: 'Zoom', provider: 'zoom_gov', client_id: 'zoom-id', client_secret: SENSITIVE },
      changed: ['provider'],
      secretRefs: { client_secret: 'ZOOM_CLIENT_SECRET' },
      moves: ['E:A500'],
      unassignFrom: [],
      forced: [],
      replacementName: 'Zoom (replacing id 106)',
      replacementId: 777,
      preventDestroy: false,
      customerCount: { live: 1, known: 1 },
    }),
    profile({
      action: 'delete',
      profile: 'Old HubSpot',
      id: 400,
      before: { name: 'Old HubSpot', provider: 'hubspot', client_id: 'old-id', client_secret: SENSITIVE },
    }),
    profile({
      action: 'delete',
      profile: 'Production Slack',
      id: 500,
      before: {
        name: 'Production Slack',
        provider: 'slack',
        client_id: 'prod-slack',
        client_secret: SENSITIVE,
      },
      preventDestroy: true,
      customerCount: { live: 0, known: 0 },
      refused:
        'profile["Production Slack"] has prevent_destroy; to delete it, first apply it with prevent_destroy: false, then remove it',
    }),
    assignment('swap', 'E:A2300', 'HubSpot EU', { previous: 'HubSpot US', force: true }),
    assignment('assign', 'E:A2301', 'HubSpot EU'),
    assignment('assign', 'E:A103', 'Salesforce Sandbox'),
    assignment('assign', '7788', 'Salesforce'),
    assignment('assign', 'E:A2302', 'HubSpot US', { reassert: true }),
    assignment('unassign', 'E:A2400', 'HubSpot US', { force: true }),
    assignment('unassign', 'E:A2401', 'Old HubSpot', { force: false, inUse: 3 }),
  ];
  return {
    changes: sortChanges(changes),
    stateOnly: [
      {
        address: 'profile["Salesforce"]',
        profile: 'Salesforce',
        field: 'prevent_destroy',
        before: false,
        after: true,
      },
    ],
    unmanaged: [
      { id: 900, name: 'Legacy Zendesk', provider: 'zendesk' },
      { id: 901, name: 'Marketing sandbox', provider: 'hubspot' },
      // Someone made another profile with a managed profile's name; the managed one is found by its id.
      { id: 902, name: 'HubSpot US', provider: 'hubspot', duplicateOf: 'HubSpot US' },
    ],
    warnings: [
      {
        code: 'adopt-assigned',
        message:
          'profile "Salesforce" (id 321) is already assigned to 3 customer(s) that the state does not know; the tool will assign it per the config and leave those alone',
      },
    ],
    drift: [
      {
        code: 'assignment-count-drift',
        address: 'profile["HubSpot US"]',
        message:
          'profile "HubSpot US" (id 101): Workato counts 14 customer(s), the state records 12; assigned or unassigned outside workato-oauth',
        repair: 'workato-oauth apply --reassert',
      },
    ],
    refusals: [
      {
        code: 'customer-count',
        address: 'profile["Salesforce Sandbox"]',
        message:
          'the state does not know every customer Workato counts on it, and the replace would leave those without the profile; run `workato-oauth apply --reassert` first',
      },
      {
        code: 'prevent-destroy',
        address: 'profile["Production Slack"]',
        message:
          'profile["Production Slack"] has prevent_destroy; to delete it, first apply it with prevent_destroy: false, then remove it',
      },
      {
        code: 'delete-not-allowed',
        address: null,
        message:
          'the plan deletes 4 profiles (2 of them to recreate for a new provider); pass --allow-delete to allow it',
      },
    ],
    managedFound: { recorded: 9, live: 9 },
    // As the planner counts them. Profiles: create, adopt, 3 updates, delete, and per replace a
    // create (not the re-used one), a delete and a rename. Embedded: swap 2, 4 assigns,
    // 2 unassigns, and per moved customer 2, per customer unassigned without a move 1.
    apiCalls: { profiles: 11, embedded: 19 },
    ratePerMinute: 60,
    leastSeconds: estimateSeconds({ apiCalls: { profiles: 11, embedded: 19 }, ratePerMinute: 60 }),
  };
}

export function makeEmptyPlan(): Plan {
  return {
    changes: [],
    stateOnly: [],
    unmanaged: [],
    warnings: [],
    drift: [],
    refusals: [],
    managedFound: { recorded: 0, live: 0 },
    apiCalls: { profiles: 0, embedded: 0 },
    ratePerMinute: 60,
    leastSeconds: estimateSeconds({ apiCalls: { profiles: 0, embedded: 0 }, ratePerMinute: 60 }),
  };
}

/**
 * `count` assignments spread over `profiles` newly created profiles, for the size limit.
 * With one profile every assignment lands in the same group.
 */
export function makeLargePlan(count: number, profiles: number): Plan {
  const names = Array.from({ length: profiles }, (_, i) => `Profile ${String(i).padStart(3, '0')}`);
  const changes = [
    ...names.map((name) =>
      profile({
        action: 'create',
        profile: name,
        after: {
          name,
          provider: `provider_${name.slice(-3)}`,
          client_id: `client-${name}`,
          client_secret: SENSITIVE,
        },
        secretRefs: { client_secret: 'SHARED_SECRET' },
      }),
    ),
    ...Array.from({ length: count }, (_, i) =>
      assignment('assign', `E:customer-${String(i).padStart(5, '0')}`, names[i % profiles]!),
    ),
  ];
  return {
    changes: sortChanges(changes),
    stateOnly: [],
    unmanaged: [{ id: 1, name: 'Left alone', provider: 'hubspot' }],
    warnings: [],
    drift: [],
    refusals: [],
    managedFound: { recorded: 0, live: 0 },
    apiCalls: { profiles, embedded: count },
    ratePerMinute: 60,
    leastSeconds: estimateSeconds({ apiCalls: { profiles, embedded: count }, ratePerMinute: 60 }),
  };
}
