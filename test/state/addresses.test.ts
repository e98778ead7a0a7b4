import { describe, expect, it } from 'vitest';
import {
  describeStateEntry,
  describeUnknownAddress,
  findStateEntry,
  listStateAddresses,
  parseStateAddress,
  removeStateAddresses,
} from '../../src/state/addresses.js';
import type { State, StateProfile } from '../../src/state/types.js';

const FINGERPRINT = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

function profile(id: number, extra: Partial<StateProfile> = {}): StateProfile {
  return {
    id,
    provider: 'hubspot',
    client_id: `client-${id}`,
    updated_at: '2026-01-01T00:00:00.000+00:00',
    prevent_destroy: false,
    ...extra,
  };
}

/** Keys chosen so that address order differs from insertion order and from number order. */
function sample(): State {
  return {
    version: 1,
    lineage: '00000000-0000-4000-8000-000000000000',
    serial: 4,
    workspace: 'https://www.workato.com',
    profiles: {
      'Zoom app': profile(3),
      'Acme HubSpot OAuth app': profile(1, { client_secret_fingerprint: FINGERPRINT, prevent_destroy: true }),
      'Slack "bot" app': profile(2, { token_fingerprint: FINGERPRINT }),
    },
    customers: {
      '10': { id: 10, profiles: ['Acme HubSpot OAuth app', 'Zoom app'] },
      '9': { id: 9, profiles: ['Zoom app'] },
      'E:A2300': { id: 101, external_id: 'A2300', profiles: ['Acme HubSpot OAuth app'] },
    },
  };
}

describe('listStateAddresses', () => {
  it('lists profiles, then assignments, each sorted by address as the plan sorts', () => {
    expect(listStateAddresses(sample())).toEqual([
      'profile["Acme HubSpot OAuth app"]',
      'profile["Slack \\"bot\\" app"]',
      'profile["Zoom app"]',
      'assignment["10"]["Acme HubSpot OAuth app"]',
      'assignment["10"]["Zoom app"]',
      'assignment["9"]["Zoom app"]',
      'assignment["E:A2300"]["Acme HubSpot OAuth app"]',
    ]);
  });

  it('is empty for an empty state', () => {
    expect(listStateAddresses({ ...sample(), profiles: {}, customers: {} })).toEqual([]);
  });
});

describe('parseStateAddress', () => {
  it('reads both kinds, with JSON escapes, and every address the list gives', () => {
    expect(parseStateAddress('profile["Acme"]')).toEqual({ kind: 'profile', profile: 'Acme' });
    expect(parseStateAddress('profile["Slack \\"bot\\" app"]')).toEqual({
      kind: 'profile',
      profile: 'Slack "bot" app',
    });
    expect(parseStateAddress('assignment["E:A2300"]["Acme"]')).toEqual({
      kind: 'assignment',
      customer: 'E:A2300',
      profile: 'Acme',
    });
    for (const address of listStateAddresses(sample())) expect(parseStateAddress(address)).toBeDefined();
  });

  it.each([
    'profile[Acme]',
    "profile['Acme']",
    'profile["Acme"',
    'assignment["7"]',
    'customer["7"]',
    'profile["bad \\q escape"]',
    '',
  ])('refuses %j', (text) => {
    expect(parseStateAddress(text)).toBeUndefined();
  });
});

describe('findStateEntry and describeStateEntry', () => {
  it('a profile: its fields, which secrets have a fingerprint (never the fingerprint), its customers', () => {
    const entry = findStateEntry(sample(), { kind: 'profile', profile: 'Acme HubSpot OAuth app' })!;
    expect(describeStateEntry(entry)).toEqual([
      'profile["Acme HubSpot OAuth app"]',
      '  id:              1',
      '  provider:        hubspot',
      '  client_id:       client-1',
      '  updated_at:      2026-01-01T00:00:00.000+00:00',
      '  prevent_destroy: true',
      '  client_secret:   (fingerprint stored)',
      '  token:           (no fingerprint)',
      '  assigned to:     2 customers',
    ]);
  });

  it('a profile being renamed into place shows its rename_to', () => {
    const state = sample();
    state.profiles['Zoom app'] = profile(3, { rename_to: 'Zoom' });
    const lines = describeStateEntry(findStateEntry(state, { kind: 'profile', profile: 'Zoom app' })!);
    expect(lines).toContain('  rename_to:       Zoom');
    expect(lines).toContain('  assigned to:     2 customers');
  });

  it('an assignment: the customer ids and the profile id', () => {
    const entry = findStateEntry(sample(), {
      kind: 'assignment',
      customer: 'E:A2300',
      profile: 'Acme HubSpot OAuth app',
    })!;
    expect(describeStateEntry(entry)).toEqual([
      'assignment["E:A2300"]["Acme HubSpot OAuth app"]',
      '  customer:    E:A2300',
      '  customer id: 101',
      '  external_id: A2300',
      '  profile:     Acme HubSpot OAuth app',
      '  profile id:  1',
    ]);
  });

  it("finds a customer by its other id, under the state's own address", () => {
    const entry = findStateEntry(sample(), {
      kind: 'assignment',
      customer: '101',
      profile: 'Acme HubSpot OAuth app',
    });
    expect(entry?.address).toBe('assignment["E:A2300"]["Acme HubSpot OAuth app"]');
  });

  it('finds nothing for what the state does not record', () => {
    const state = sample();
    expect(findStateEntry(state, { kind: 'profile', profile: 'Acme' })).toBeUndefined();
    expect(
      findStateEntry(state, { kind: 'assignment', customer: '9', profile: 'Acme HubSpot OAuth app' }),
    ).toBe(undefined);
    expect(
      findStateEntry(state, { kind: 'assignment', customer: '404', profile: 'Zoom app' }),
    ).toBeUndefined();
  });
});

describe('describeUnknownAddress', () => {
  it('suggests the closest address, including for an address the shell stripped of its quotes', () => {
    const state = sample();
    expect(describeUnknownAddress(state, 'profile["Zoom ap"]')).toBe(
      'profile["Zoom ap"] is not in the state (did you mean profile["Zoom app"]?)',
    );
    expect(describeUnknownAddress(state, 'profile[Zoom app]')).toMatch(
      /^not an address: profile\[Zoom app\] \(did you mean profile\["Zoom app"\]\?\); write profile\["NAME"\]/,
    );
    expect(describeUnknownAddress(state, 'profile["Something else entirely"]', 'the state file s.json')).toBe(
      'profile["Something else entirely"] is not in the state file s.json',
    );
    expect(describeUnknownAddress(state, 'assignment["E:A230"]["Acme HubSpot OAuth app"]')).toBe(
      'assignment["E:A230"]["Acme HubSpot OAuth app"] is not in the state (did you mean assignment["E:A2300"]["Acme HubSpot OAuth app"]?)',
    );
  });

  it('compares names, not the `profile["` every address shares', () => {
    const state = sample();
    expect(describeUnknownAddress(state, 'profile["Nope"]')).toBe('profile["Nope"] is not in the state');
    expect(describeUnknownAddress(state, 'profile[Nope]')).not.toContain('did you mean');
    expect(describeUnknownAddress(state, 'profile[Zoom ap]')).toContain(
      '(did you mean profile["Zoom app"]?)',
    );
    expect(describeUnknownAddress(state, 'nonsense')).toBe(
      'not an address: nonsense; write profile["NAME"] or assignment["CUSTOMER"]["PROFILE"], in single quotes in a shell',
    );
  });
});

describe('removeStateAddresses', () => {
  it('a profile takes its assignments; a customer left with nothing is dropped; the input is untouched', () => {
    const state = sample();
    const before = structuredClone(state);
    const removal = removeStateAddresses(state, ['profile["Zoom app"]']);
    expect(removal.missing).toEqual([]);
    expect(removal.removed).toEqual([
      'profile["Zoom app"]',
      'assignment["10"]["Zoom app"]',
      'assignment["9"]["Zoom app"]',
    ]);
    expect(Object.keys(removal.state.profiles).sort()).toEqual(['Acme HubSpot OAuth app', 'Slack "bot" app']);
    expect(removal.state.customers).toEqual({
      '10': { id: 10, profiles: ['Acme HubSpot OAuth app'] },
      'E:A2300': { id: 101, external_id: 'A2300', profiles: ['Acme HubSpot OAuth app'] },
    });
    expect(removal.state.serial).toBe(4);
    expect(state).toEqual(before);
  });

  it('an assignment alone; its customer goes when it held nothing else', () => {
    const removal = removeStateAddresses(sample(), [
      'assignment["9"]["Zoom app"]',
      'assignment["10"]["Zoom app"]',
    ]);
    expect(removal.removed).toEqual(['assignment["10"]["Zoom app"]', 'assignment["9"]["Zoom app"]']);
    expect(removal.state.customers['9']).toBeUndefined();
    expect(removal.state.customers['10']?.profiles).toEqual(['Acme HubSpot OAuth app']);
    expect(removal.state.profiles['Zoom app']).toBeDefined();
  });

  it('a profile and one of its assignments together, in either order, is not a missing address', () => {
    for (const addresses of [
      ['assignment["9"]["Zoom app"]', 'profile["Zoom app"]'],
      ['profile["Zoom app"]', 'assignment["9"]["Zoom app"]', 'profile["Zoom app"]'],
    ]) {
      const removal = removeStateAddresses(sample(), addresses);
      expect(removal.missing).toEqual([]);
      expect(removal.removed).toHaveLength(3);
    }
  });

  it('names every address the state does not have, as given', () => {
    const removal = removeStateAddresses(sample(), ['profile["Zoom app"]', 'profile["Nope"]', 'garbage']);
    expect(removal.missing).toEqual(['profile["Nope"]', 'garbage']);
  });
});
