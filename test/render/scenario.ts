/**
 * Hand-built plans for the renderer tests. The scenario holds every kind of change
 * once; its golden files (golden/scenario.*) are the renderers' spec, read by eye.
 */
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
      unassignFrom: ['4242', 'E:A100', 'E:A101'],
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
    }),
    assignment('swap', 'E:A2300', 'HubSpot EU', { previous: 'HubSpot US', force: false }),
    assignment('assign', 'E:A2301', 'HubSpot EU'),
    assignment('assign', 'E:A100', 'Salesforce Sandbox'),
    assignment('assign', '7788', 'Salesforce'),
    assignment('unassign', 'E:A2400', 'HubSpot US', { force: true }),
    assignment('unassign', 'E:A2401', 'Old HubSpot', { force: false }),
  ];
  return {
    changes: sortChanges(changes),
    unmanaged: [
      { id: 900, name: 'Legacy Zendesk', provider: 'zendesk' },
      { id: 901, name: 'Marketing sandbox', provider: 'hubspot' },
    ],
    warnings: [
      {
        code: 'assignment-count-drift',
        message:
          'profile "HubSpot US" (id 101): Workato counts 14 customer(s), the state records 12; assigned or unassigned outside workato-oauth?',
      },
      {
        code: 'adopt-assigned',
        message:
          'profile "Salesforce" (id 321) is already assigned to 3 customer(s) that the state does not know; the tool will assign it per the config and leave those alone',
      },
    ],
    // As the planner counts them: profiles 1+1+1+1+2+1+1, embedded swap 2 + 3 assigns + 2 unassigns + 3 for the replace.
    apiCalls: { profiles: 8, embedded: 10 },
    ratePerMinute: 60,
  };
}

export function makeEmptyPlan(): Plan {
  return {
    changes: [],
    unmanaged: [],
    warnings: [],
    apiCalls: { profiles: 0, embedded: 0 },
    ratePerMinute: 60,
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
    unmanaged: [{ id: 1, name: 'Left alone', provider: 'hubspot' }],
    warnings: [],
    apiCalls: { profiles, embedded: count },
    ratePerMinute: 60,
  };
}
