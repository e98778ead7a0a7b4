import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { FINGERPRINT_PATTERN, fingerprintSecret, matchesFingerprint } from '../../src/state/fingerprint.js';
import { STATE_SCHEMA_URL } from '../../src/state/schema.js';
import { emptyState, parseState, readState, serializeState, writeState } from '../../src/state/store.js';
import type { State } from '../../src/state/types.js';

const FILE = 'workato-oauth.state.json';

let dir: string;
let valid: State;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-state-schema-'));
  const state = emptyState('https://www.workato.com');
  state.profiles['Acme'] = {
    id: 11,
    provider: 'hubspot',
    client_id: 'acme-client',
    updated_at: '2026-01-01T00:00:00.000+00:00',
    client_secret_fingerprint: await fingerprintSecret('acme-secret'),
    token_fingerprint: await fingerprintSecret('acme-token'),
    prevent_destroy: true,
  };
  state.customers['7'] = { id: 7, profiles: ['Acme'] };
  state.customers['E:A2300'] = { id: 8, external_id: 'A2300', profiles: ['Acme'] };
  valid = await writeState(join(dir, FILE), state, null);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The lines of the StateError that parsing `text` throws; [] when it parses. */
function problems(text: string): string[] {
  try {
    parseState(text, FILE);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).exitCode).toBe(1);
    return (error as Error).message.split('\n');
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a hand edit may put anything anywhere; that is the point.
type Edit = (state: any) => void;

/** The valid state, edited by hand. */
function edited(edit: Edit): string {
  const state = JSON.parse(serializeState(valid));
  edit(state);
  return JSON.stringify(state, null, 2);
}

describe('a state file edited by hand', () => {
  const cases: [string, Edit, string][] = [
    ['an id that is a string', (s) => (s.profiles.Acme.id = 'abc'), 'profiles["Acme"].id must be integer'],
    ['a negative id', (s) => (s.profiles.Acme.id = -1), 'profiles["Acme"].id must be a positive integer'],
    ['a fractional id', (s) => (s.profiles.Acme.id = 1.5), 'profiles["Acme"].id must be integer'],
    [
      'an unsafe id',
      (s) => (s.profiles.Acme.id = 2 ** 60),
      'profiles["Acme"].id must be at most 9007199254740991',
    ],
    ['a serial that is a string', (s) => (s.serial = 'x'), 'serial must be integer'],
    ['a negative serial', (s) => (s.serial = -1), 'serial must not be negative'],
    ['an empty lineage', (s) => (s.lineage = ''), 'lineage must not be empty'],
    ['a missing lineage', (s) => delete s.lineage, 'lineage is missing'],
    ['a workspace that is a number', (s) => (s.workspace = 5), 'workspace must be string'],
    ['profiles as a list', (s) => (s.profiles = [s.profiles.Acme]), 'profiles must be object'],
    [
      'a fingerprint that is a number',
      (s) => (s.profiles.Acme.token_fingerprint = 5),
      'profiles["Acme"].token_fingerprint must be string',
    ],
    [
      'a fingerprint with scrypt parameters other than the tool writes',
      (s) =>
        (s.profiles.Acme.client_secret_fingerprint = s.profiles.Acme.client_secret_fingerprint.replace(
          '$8$1$',
          '$8$200$',
        )),
      'profiles["Acme"].client_secret_fingerprint is not a fingerprint this tool writes (expected scrypt$16384$8$1$<salt>$<hash>)',
    ],
    [
      'a fingerprint of another kind',
      (s) => (s.profiles.Acme.token_fingerprint = 'sha256$abc'),
      'profiles["Acme"].token_fingerprint is not a fingerprint this tool writes (expected scrypt$16384$8$1$<salt>$<hash>)',
    ],
    [
      'prevent_destroy as a string',
      (s) => (s.profiles.Acme.prevent_destroy = 'yes'),
      'profiles["Acme"].prevent_destroy must be boolean',
    ],
    [
      'an unknown field in a profile',
      (s) => (s.profiles.Acme.owner = 'me'),
      'profiles["Acme"].owner is not a known field',
    ],
    [
      'an unknown top-level field',
      (s) => (s.serail = 3),
      `serail is not a known field (did you mean 'serial'?)`,
    ],
    [
      'customer profiles not a list',
      (s) => (s.customers['7'].profiles = 'Acme'),
      'customers["7"].profiles must be array',
    ],
    [
      'a customer profile that is not a name',
      (s) => (s.customers['7'].profiles = [3]),
      'customers["7"].profiles[0] must be string',
    ],
    [
      'a profile listed twice',
      (s) => (s.customers['7'].profiles = ['Acme', 'Acme']),
      'customers["7"].profiles lists "Acme" more than once',
    ],
    [
      'a customer id that is a string',
      (s) => (s.customers['7'].id = '7'),
      'customers["7"].id must be integer',
    ],
    [
      'an external id that is a number',
      (s) => (s.customers['E:A2300'].external_id = 2300),
      'customers["E:A2300"].external_id must be string',
    ],
    [
      'a customer key of neither form',
      (s) => (s.customers['A2300'] = { profiles: ['Acme'] }),
      'customers["A2300"] is not a customer key (E:<external id> or a numeric customer id)',
    ],
  ];

  it.each(cases)('%s: one line naming the field', (_name, edit, expected) => {
    expect(problems(edited(edit))).toEqual([`state file ${FILE}: ${expected}`]);
  });

  it('says every bad field at once, one line each', () => {
    const text = edited((s) => {
      s.serial = 'x';
      s.profiles.Acme.id = 'abc';
      s.customers['7'].profiles = {};
    });
    expect(problems(text)).toEqual([
      `state file ${FILE}: serial must be integer`,
      `state file ${FILE}: profiles["Acme"].id must be integer`,
      `state file ${FILE}: customers["7"].profiles must be array`,
    ]);
  });

  it('never echoes a fingerprint it refuses', () => {
    const bad = valid.profiles['Acme']!.client_secret_fingerprint!.replace('$8$1$', '$8$200$');
    const lines = problems(edited((s) => (s.profiles.Acme.client_secret_fingerprint = bad)));
    expect(lines.join('\n')).not.toContain(bad.split('$')[5]);
  });

  it('keeps the version message for another version', () => {
    expect(problems(edited((s) => (s.version = 2)))).toEqual([
      `state file ${FILE} has version 2; this workato-oauth reads version 1`,
    ]);
  });

  it('refuses what is not a JSON object, in one line that does not echo the file', () => {
    expect(problems('{"version": 1, "lineage": "secret-ish-text"')).toEqual([
      `state file ${FILE} is not valid JSON: Expected ',' or '}' after property value at line 1, column 44`,
    ]);
    expect(problems('')).toEqual([`state file ${FILE} is not valid JSON: Unexpected end of JSON input`]);
    expect(problems('hello world')).toEqual([`state file ${FILE} is not valid JSON: Unexpected token 'h'`]);
    expect(problems('[1, 2]')).toEqual([`state file ${FILE} is not a state file: expected a JSON object`]);
  });

  it('refuses binary content in one line, without its bytes', async () => {
    const path = join(dir, 'binary.json');
    await writeFile(path, Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a]));
    await expect(readState(path)).rejects.toThrow(
      new StateError(`state file ${path} is not a JSON state file: it holds binary data`),
    );
    expect(problems('\u0000\u0001PK\u0003\u0004')).toEqual([
      `state file ${FILE} is not a JSON state file: it holds binary data`,
    ]);
  });
});

describe('a state file written by the tool', () => {
  it('passes, and reads back as written', async () => {
    expect(await readState(join(dir, FILE))).toEqual(valid);
  });

  it('passes with a profile being renamed into place (rename_to), written after prevent_destroy', async () => {
    const path = join(dir, FILE);
    valid.profiles['Acme (replacing)'] = { ...valid.profiles['Acme']!, id: 12, rename_to: 'Acme' };
    const written = await writeState(path, valid, valid);
    expect(await readState(path)).toEqual(written);
    expect(await readFile(path, 'utf8')).toContain('"prevent_destroy": true,\n      "rename_to": "Acme"\n');
  });

  it('passes with a customer the tool assigns nothing to', async () => {
    expect(problems(edited((s) => (s.customers['90000'] = { id: 90000, profiles: [] })))).toEqual([]);
  });
});

describe('the state schema', () => {
  const schema = JSON.parse(readFileSync(STATE_SCHEMA_URL, 'utf8'));

  it('accepts exactly the fingerprints the tool writes', () => {
    expect(schema.$defs.fingerprint.pattern).toBe(FINGERPRINT_PATTERN.source);
  });

  it('describes every field the tool writes, and every field has a description', () => {
    const full = JSON.parse(
      serializeState({
        ...valid,
        profiles: { A: { ...valid.profiles['Acme']!, rename_to: 'B' } },
        customer_listing: { order: 'id', customers: [[1, 'A1', 'Customer 1']] },
      }),
    );
    expect(Object.keys(schema.properties)).toEqual(Object.keys(full));
    expect(Object.keys(schema.$defs.profile.properties)).toEqual(Object.keys(full.profiles.A));
    expect(Object.keys(schema.$defs.customer.properties)).toEqual(Object.keys(full.customers['E:A2300']));
    const undescribed: string[] = [];
    const walk = (properties: Record<string, { description?: string }>, at: string) => {
      for (const [name, field] of Object.entries(properties))
        if (!field.description) undescribed.push(`${at}.${name}`);
    };
    walk(schema.properties, 'state');
    walk(schema.$defs.profile.properties, 'profile');
    walk(schema.$defs.customer.properties, 'customer');
    expect(undescribed).toEqual([]);
  });
});

describe('fingerprints with other parameters', () => {
  it('never match, and are refused before any hashing', async () => {
    const good = await fingerprintSecret('s3cret');
    const costly = good.replace('$8$1$', '$8$200$');
    const started = performance.now();
    expect(await matchesFingerprint('s3cret', costly)).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
    expect(await matchesFingerprint('s3cret', good)).toBe(true);
  });
});
