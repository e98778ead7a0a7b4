// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
/**
 * `workato-oauth plan`: the whole CLI, in-process, against the emulator, on the
 * example config and the demo world. Each test asserts what a user would see:
 * the plan printed, the exit code, the calls made (counted in the emulator's log),
 * and that no secret is ever printed or written. Colour, which depends on the
 * process's stdout being a terminal, is tested on the built CLI in test/e2e.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.js';
import type { State } from '../../src/state/types.js';
import { API_TOKEN, calls, leakedSecrets, root, SECRETS } from '../e2e/world.js';
import { type Bench, type CliOptions, type CliRun, startBench } from './harness.js';

const PROFILES = ['Acme HubSpot OAuth app', 'Acme Salesforce app', 'Acme Slack app', 'Acme Zoom app'];

/** The 18 assignments the example config asks for, by address, sorted as the plan sorts them. */
const EXAMPLE_ASSIGNMENTS = [
  ['4567', 'Acme HubSpot OAuth app'],
  ['4568', 'Acme Salesforce app'],
  ['4568', 'Acme Slack app'],
  ['4569', 'Acme Zoom app'],
  ['E:A2300', 'Acme HubSpot OAuth app'],
  ['E:A2300', 'Acme Slack app'],
  ['E:A2301', 'Acme HubSpot OAuth app'],
  ['E:A2301', 'Acme Salesforce app'],
  ['E:A2302', 'Acme Salesforce app'],
  ['E:A2304', 'Acme HubSpot OAuth app'],
  ['E:A2304', 'Acme Zoom app'],
  ['E:A2305', 'Acme Slack app'],
  ['E:A2306', 'Acme Salesforce app'],
  ['E:A2306', 'Acme Slack app'],
  ['E:A2306', 'Acme Zoom app'],
  ['E:A2307', 'Acme HubSpot OAuth app'],
  ['E:A2308', 'Acme Zoom app'],
  ['E:B 17/02', 'Acme HubSpot OAuth app'],
].map(([customer, profile]) => `assignment[${JSON.stringify(customer)}][${JSON.stringify(profile)}]`);

const SECRET_VARIABLES = Object.keys(SECRETS);
/** A JavaScript stack frame, as an uncaught error would print it. */
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(node:)/m;

/** For tests that run the CLI a dozen times: generous, for a loaded 2-core machine. */
const SLOW_TEST_MS = 120_000;

const PROFILE_LISTING = 'GET /api/custom_oauth_profiles';
const CUSTOMER_LISTING = 'GET /api/managed_users';

const planSchema = JSON.parse(await readFile(join(root, 'schemas/plan.schema.json'), 'utf8'));
const validatePlanJson = new Ajv2020({ allErrors: true, strict: true }).compile(planSchema);

let world: Bench | undefined;
let bigWorkspace: RunningEmulator | undefined;
afterEach(async () => {
  await world?.close();
  await bigWorkspace?.close();
  world = undefined;
  bigWorkspace = undefined;
});

async function openWorld(): Promise<Bench> {
  world = await startBench();
  return world;
}

/**
 * A workspace with far more customers than the state will know: the demo world and
 * `extra` customers after it (ids 20000 and up, external ids X0...). Point a run at
 * it with `{ env: { WORKATO_API_URL: emulator.url } }`.
 */
async function startBigWorkspace(extra: number): Promise<RunningEmulator> {
  const data = JSON.parse(await readFile(join(root, 'examples/emulator-world.json'), 'utf8'));
  for (let i = 0; i < extra; i++) {
    data.customers.push({
      id: 20_000 + i,
      external_id: `X${i}`,
      name: `Extra ${i}`,
      profiles: [],
      connections: {},
    });
  }
  bigWorkspace = await startEmulator({ token: API_TOKEN, world: data, ratePerMinute: 100_000 });
  return bigWorkspace;
}

const configPath = (w: Bench) => w.configPath;

/** Rewrites the config; every replacement must hit, or the test would plan something else. */
async function editConfig(w: Bench, ...edits: [from: string | RegExp, to: string][]): Promise<string> {
  let text = await readFile(configPath(w), 'utf8');
  for (const [from, to] of edits) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`config edit found nothing to replace: ${String(from)}`);
    text = next;
  }
  await writeFile(configPath(w), text);
  return text;
}

/** Adds customer entries at the end of the config's customers list (the file's last lines). */
async function appendCustomers(w: Bench, yaml: string): Promise<string> {
  const text = `${await readFile(configPath(w), 'utf8')}${yaml}`;
  await writeFile(configPath(w), text);
  return text;
}

/** The emulator's calls from `mark` on (`mark` = calls(...).length before the run). */
function callsSince(w: Bench, mark: number): string[] {
  return calls(w.emulator).slice(mark);
}

/** Runs the CLI and returns its result with the calls it made. */
async function runCounted(
  w: Bench,
  args: string[],
  options?: CliOptions,
): Promise<CliRun & { calls: string[] }> {
  const mark = calls(w.emulator).length;
  const result = await w.cli(args, options);
  return { ...result, calls: callsSince(w, mark) };
}

async function applyExample(w: Bench): Promise<State> {
  const result = await w.cli(['apply', '--auto-approve']);
  expect(result, result.stderr).toMatchObject({ code: 0 });
  const state = await w.readState();
  expect(Object.keys(state.profiles).sort()).toEqual(PROFILES);
  return state;
}

/** Someone else's change, straight through the API (not through workato-oauth). */
async function callApiDirectly(w: Bench, method: 'POST' | 'DELETE', path: string): Promise<void> {
  const response = await fetch(`${w.emulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  expect(response.status, `${method} ${path}: ${await response.text()}`).toBeLessThan(300);
}

function lines(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix));
}

/** The 1-based line of the first line of `text` that equals `line`. */
function lineOf(text: string, line: string): number {
  const index = text.split('\n').indexOf(line);
  if (index < 0) throw new Error(`no line ${JSON.stringify(line)}`);
  return index + 1;
}

/**
 * After apply: a config and environment that give every kind of change the
 * example can have (create, update of a plain field and of a secret, swap, assign,
 * unassign with and without force), an outside assignment for a drift warning, and
 * one customer new to the state.
 */
async function makeRichScenario(w: Bench): Promise<Record<string, string>> {
  const state = await applyExample(w);
  await editConfig(
    w,
    [
      '  Acme Zoom app:\n',
      '  Acme HubSpot EU app:\n    provider: hubspot\n    client_id: acme-hubspot-eu\n    client_secret: ${HUBSPOT_CLIENT_SECRET}\n\n  Acme Zoom app:\n',
    ],
    ['client_id: acme-zoom-client', 'client_id: acme-zoom-client-v2'],
    // swap: same provider, another profile
    [
      '  - external_id: A2301\n    profiles: [Acme HubSpot OAuth app, Acme Salesforce app]',
      '  - external_id: A2301\n    profiles: [Acme HubSpot EU app, Acme Salesforce app]',
    ],
    // unassign, force=false
    [
      '  - external_id: A2300\n    profiles: [Acme HubSpot OAuth app, Acme Slack app]',
      '  - external_id: A2300\n    profiles: [Acme HubSpot OAuth app]',
    ],
    // unassign, force=true
    [
      '  - external_id: A2307\n    profiles: [Acme HubSpot OAuth app]',
      '  - external_id: A2307\n    profiles: []',
    ],
  );
  await appendCustomers(w, '  - id: 4572\n    profiles: [Acme Zoom app]\n');
  const slack = state.profiles['Acme Slack app']!.id;
  await callApiDirectly(w, 'POST', `/api/managed_users/4571/custom_oauth_profiles/${slack}/assign`);
  return { ZOOM_CLIENT_SECRET: 'zoom-secret-e2e-rotated-6666' };
}

describe('workato-oauth plan (built CLI against the emulator)', () => {
  it('shows the first onboarding: 4 creates, 18 assigns, the unmanaged Legacy Zoom app', async () => {
    const w = await openWorld();
    const detailed = await w.cli(['plan', '--detailed-exitcode']);
    expect(detailed.code, detailed.stderr).toBe(2);
    const out = detailed.stdout;

    expect(lines(out, '  + profile[')).toEqual(PROFILES.map((p) => `  + profile[${JSON.stringify(p)}] {`));
    expect(lines(out, '  + assignment[')).toEqual(EXAMPLE_ASSIGNMENTS.map((a) => `  + ${a}`));
    expect(out).not.toMatch(/^ *(~|-|-\/\+|<=|!) /m);
    expect(out).toContain(
      'Plan: 4 to create, 0 to adopt, 0 to update, 0 to replace, 0 to delete; 18 to assign, 0 to unassign, 0 to swap.',
    );
    expect(out).toContain('API calls: 22 (profiles 4, embedded 18)');
    expect(out).toContain(
      'Not managed, left alone: 1 profile in the workspace that the configuration does not list:\n' +
        '    id 900 "Legacy Zoom app" (provider "zoom")\n',
    );
    // The Slack profile carries its token; secrets are only ever described.
    expect(out).toMatch(/\+ token\s+= \(sensitive value\)/);

    const plain = await w.cli(['plan']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(out);
    // Planning changed nothing in Workato; the state records only the 12 customers it found to exist.
    expect(w.emulator.world.toData().profiles.map((p) => p.name)).toEqual(['Legacy Zoom app']);
    const state = JSON.parse(await readFile(w.statePath, 'utf8')) as State;
    expect(state.profiles).toEqual({});
    expect(Object.keys(state.customers)).toHaveLength(12);
    expect(Object.values(state.customers).every((c) => c.profiles.length === 0 && c.id !== undefined)).toBe(
      true,
    );
    expect(detailed.stderr).toContain(
      'Recorded 12 customer(s) found to exist in workato-oauth.state.json; apply will not check them again.',
    );
  });

  describe('makes exactly the calls it needs', () => {
    it('first plan: one profile page and one customer listing page for 12 customers new to an empty state', async () => {
      const w = await openWorld();
      const first = await runCounted(w, ['plan']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.calls).toEqual([PROFILE_LISTING, CUSTOMER_LISTING]);
      expect(first.stderr).toContain(
        'Planning read the workspace in 2 API call(s) (profiles 1, embedded 1).',
      );
    });

    it('--no-verify-customers reads only the profiles', async () => {
      const w = await openWorld();
      const result = await runCounted(w, ['plan', '--no-verify-customers']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.calls).toEqual([PROFILE_LISTING]);
      expect(lines(result.stdout, '  + assignment[')).toHaveLength(18);
    });

    it('after apply: one call, "No changes", exit 0 with --detailed-exitcode', async () => {
      const w = await openWorld();
      await applyExample(w);
      const again = await runCounted(w, ['plan', '--detailed-exitcode']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.calls).toEqual([PROFILE_LISTING]);
      expect(again.stdout).toMatch(/^No changes\. The workspace matches the configuration\.\n/);
      expect(again.stdout).not.toContain('Warning');
    });

    it('one customer new to a state that knows 12: one GET of that customer', async () => {
      const w = await openWorld();
      await applyExample(w);
      await appendCustomers(w, '  - id: 4572\n    profiles: [Acme Zoom app]\n');
      const result = await runCounted(w, ['plan', '--detailed-exitcode']);
      expect(result.code, result.stderr).toBe(2);
      expect(result.calls).toEqual([PROFILE_LISTING, 'GET /api/managed_users/4572']);
      expect(lines(result.stdout, '  + assignment[')).toEqual(['  + assignment["4572"]["Acme Zoom app"]']);
    });

    it('two customers new to a state that knows 12: one listing page, cheaper than two GETs', async () => {
      const w = await openWorld();
      await applyExample(w);
      await appendCustomers(
        w,
        '  - id: 4571\n    profiles: [Acme Zoom app]\n  - external_id: H4572\n    profiles: [Acme Slack app]\n',
      );
      const result = await runCounted(w, ['plan']);
      expect(result.code, result.stderr).toBe(0);
      // The workspace has 15 customers: the whole listing is one page.
      expect(result.calls).toEqual([PROFILE_LISTING, CUSTOMER_LISTING]);
      expect(lines(result.stdout, '  + assignment[')).toEqual([
        '  + assignment["4571"]["Acme Zoom app"]',
        '  + assignment["E:H4572"]["Acme Slack app"]',
      ]);
    });

    it('two customers new to a state that knows 112: one GET each (the listing would take 2 pages)', async () => {
      const w = await openWorld();
      const state = await applyExample(w);
      // Customers the state knows without a profile: they count for the cost, and plan nothing.
      for (let i = 0; i < 100; i++) state.customers[String(90_000 + i)] = { id: 90_000 + i, profiles: [] };
      await writeFile(w.statePath, `${JSON.stringify(state, null, 2)}\n`);
      await appendCustomers(
        w,
        '  - id: 4571\n    profiles: [Acme Zoom app]\n  - external_id: H4572\n    profiles: [Acme Slack app]\n',
      );
      const result = await runCounted(w, ['plan']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.calls).toEqual([
        PROFILE_LISTING,
        'GET /api/managed_users/4571',
        'GET /api/managed_users/EH4572',
      ]);
      expect(lines(result.stdout, '  + assignment[')).toHaveLength(2);
    });
    it('a few customers new to a state that knows a small part of a big workspace: never the whole listing', async () => {
      const w = await openWorld();
      const big = await startBigWorkspace(1_000);
      const env = { WORKATO_API_URL: big.url };
      const applied = await w.cli(['apply', '--auto-approve'], { env });
      expect(applied.code, applied.stderr).toBe(0);
      // Three customers on the last of the 11 pages of the listing.
      await appendCustomers(
        w,
        ['20997', '20998', '20999'].map((id) => `  - id: ${id}\n    profiles: [Acme Zoom app]\n`).join(''),
      );
      const mark = calls(big).length;
      const result = await w.cli(['plan'], { env });
      expect(result.code, result.stderr).toBe(0);
      expect(lines(result.stdout, '  + assignment[')).toHaveLength(3);
      const made = calls(big).slice(mark);
      // The listing is read while it costs less than one GET per customer still missing, then GETs finish.
      expect(made).toEqual([
        PROFILE_LISTING,
        CUSTOMER_LISTING,
        CUSTOMER_LISTING,
        CUSTOMER_LISTING,
        'GET /api/managed_users/20997',
        'GET /api/managed_users/20998',
        'GET /api/managed_users/20999',
      ]);

      // The plan recorded those three: a second plan checks none of them again.
      const againMark = calls(big).length;
      const again = await w.cli(['plan'], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(calls(big).slice(againMark)).toEqual([PROFILE_LISTING]);

      // A typo among three more new ones does not make the plan read the whole listing either.
      const text = await appendCustomers(
        w,
        ['20995', '20996', '29999'].map((id) => `  - id: ${id}\n    profiles: [Acme Zoom app]\n`).join(''),
      );
      const typoMark = calls(big).length;
      const typo = await w.cli(['plan'], { env });
      expect(typo.code).toBe(1);
      expect(typo.stderr).toBe(
        `error: workato-oauth.yaml:${lineOf(text, '  - id: 29999')}:5  customer id 29999 does not exist in the workspace\n`,
      );
      const typoCalls = calls(big).slice(typoMark);
      expect(typoCalls.filter((call) => call === CUSTOMER_LISTING)).toHaveLength(3);
      expect(typoCalls).toHaveLength(1 + 3 + 3);
    });
  });

  describe('a customer that does not exist fails the plan at its line', () => {
    const typo = async (w: Bench, entry: string, args: string[]) => {
      const text = await appendCustomers(w, `${entry}\n    profiles: [Acme Zoom app]\n`);
      const result = await runCounted(w, args);
      return { ...result, line: lineOf(text, entry) };
    };

    it('found by the listing on a first plan (also with --debug: no stack trace)', async () => {
      const w = await openWorld();
      const text = await appendCustomers(w, '  - external_id: A2399\n    profiles: [Acme Zoom app]\n');
      const expected = `error: workato-oauth.yaml:${lineOf(text, '  - external_id: A2399')}:5  customer external_id "A2399" does not exist in the workspace`;
      for (const args of [['plan'], ['--debug', 'plan', '--format', 'json']]) {
        const result = await runCounted(w, [...args, '--detailed-exitcode']);
        expect(result.code).toBe(1);
        // --format json: the error as the one JSON document on stdout; text: nothing there.
        if (args.includes('json')) {
          expect(JSON.parse(result.stdout).error).toEqual({
            exit_code: 1,
            kind: 'plan',
            messages: [expected.replace('error: ', '')],
          });
        } else expect(result.stdout).toBe('');
        expect(result.calls).toEqual([PROFILE_LISTING, CUSTOMER_LISTING]);
        const errors = result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('debug: '));
        expect(errors).toEqual([expected]);
        expect(result.stderr).not.toMatch(STACK_FRAME);
      }
    });

    it('found by GET after apply; with more than one missing, each is named at its line', async () => {
      const w = await openWorld();
      await applyExample(w);
      const text = await appendCustomers(w, '  - id: 45670\n    profiles: [Acme Zoom app]\n');
      const idLine = `workato-oauth.yaml:${lineOf(text, '  - id: 45670')}:5  customer id 45670 does not exist in the workspace`;
      const one = await runCounted(w, ['plan', '-f', 'workato-oauth.yaml']);
      expect(one.code).toBe(1);
      expect(one.calls).toEqual([PROFILE_LISTING, 'GET /api/managed_users/45670']);
      expect(one.stderr).toBe(`error: ${idLine}\n`);

      const more = await typo(w, '  - external_id: Z9', ['plan']);
      expect(more.code).toBe(1);
      expect(more.calls).toEqual([PROFILE_LISTING, CUSTOMER_LISTING]);
      expect(more.stderr).toBe(
        `error: cannot plan:\n  ${idLine}\n  workato-oauth.yaml:${more.line}:5  customer external_id "Z9" does not exist in the workspace\n`,
      );
      expect(more.stderr).not.toMatch(STACK_FRAME);
    });
  });

  describe('never shows a secret', () => {
    it(
      'first onboarding: text, markdown, JSON (valid against the schema), plan file, with and without --debug',
      async () => {
        const w = await openWorld();
        const json = await checkFormats(w, {});
        expect(json.summary).toMatchObject({ create: 4, assign: 18 });
      },
      SLOW_TEST_MS,
    );

    it(
      'every kind of change, a rotated secret and a drift warning: the same checks',
      async () => {
        const w = await openWorld();
        const env = await makeRichScenario(w);
        const json = await checkFormats(w, env);
        expect(json.summary).toMatchObject({ create: 1, update: 1, swap: 1, assign: 1, unassign: 2 });
        expect(json.warnings).toEqual([]);
        expect(json.drift.map((finding) => finding.code)).toEqual(['assignment-count-drift']);
      },
      SLOW_TEST_MS,
    );

    /** Every format, with and without --debug, each with --out; returns the JSON plan. */
    async function checkFormats(w: Bench, env: Record<string, string>) {
      const runs = ['text', 'markdown', 'json'].flatMap((format) =>
        [false, true].map(async (debug) => {
          const planFile = join(w.dir, `plan-${format}${debug ? '-debug' : ''}.json`);
          const args = [...(debug ? ['--debug'] : []), 'plan', '--format', format, '--out', planFile];
          return { format, debug, result: await w.cli(args, { env }), planFile };
        }),
      );
      let json:
        | { summary: Record<string, number>; warnings: { code: string }[]; drift: { code: string }[] }
        | undefined;
      for (const { format, debug, result, planFile } of await Promise.all(runs)) {
        expect(result.code, result.stderr).toBe(0);
        const written = await readFile(planFile, 'utf8');
        expect(leakedSecrets(result.stdout, result.stderr, written)).toEqual([]);
        for (const value of Object.values(env)) {
          expect(`${result.stdout}${result.stderr}${written}`).not.toContain(value);
        }
        if (debug) expect(result.stderr).toMatch(/^debug: GET \/api\/custom_oauth_profiles/m);

        // The secrets were there to leak: the plan file pins each by fingerprint, naming its variable.
        const pinned = JSON.parse(written) as {
          secrets: Record<string, Record<string, { ref: string; fingerprint: string }>>;
        };
        const refs = Object.values(pinned.secrets).flatMap((entry) => Object.values(entry).map((s) => s.ref));
        expect([...new Set(refs)].sort()).toEqual([...SECRET_VARIABLES].sort());

        if (format === 'json') {
          json = JSON.parse(result.stdout);
          expect(validatePlanJson(json), JSON.stringify(validatePlanJson.errors, null, 2)).toBe(true);
          expect(result.stdout).toContain('"client_secret": "(sensitive)"');
        } else {
          expect(result.stdout).toContain('(sensitive value');
        }
      }
      if (!json) throw new Error('no JSON plan');
      return json;
    }

    it('the check itself catches a leak', () => {
      expect(leakedSecrets(`x${SECRETS.SLACK_APP_TOKEN}x`, API_TOKEN)).toEqual([
        SECRETS.SLACK_APP_TOKEN,
        API_TOKEN,
      ]);
    });
  });

  describe('secrets whose variables are unset (a pull request from a fork)', () => {
    const unset = Object.fromEntries(SECRET_VARIABLES.map((name) => [name, undefined]));

    it('first plan completes and names every variable apply will need', async () => {
      const w = await openWorld();
      const text = await w.cli(['plan', '--detailed-exitcode'], { env: unset });
      expect(text.code, text.stderr).toBe(2);
      expect(lines(text.stdout, '  + profile[')).toHaveLength(4);
      expect(text.stdout).toContain(
        `Note: apply needs these variables, which are not set now: ${[...SECRET_VARIABLES]
          .sort()
          .map((name) => `$${name}`)
          .join(', ')}.`,
      );
      expect(text.stdout).toContain(
        '+ client_secret = (known after apply: $HUBSPOT_CLIENT_SECRET is not set)',
      );
      expect(text.stdout).toContain('+ token         = (known after apply: $SLACK_APP_TOKEN is not set)');
      expect(text.stdout).not.toContain('(sensitive value)');

      const json = await w.cli(['plan', '--format', 'json', '--out', 'plan.json'], { env: unset });
      expect(json.code, json.stderr).toBe(0);
      const plan = JSON.parse(json.stdout);
      expect(validatePlanJson(plan)).toBe(true);
      const creates = plan.changes.filter((c: { action: string }) => c.action === 'create');
      expect(creates.map((c: { after: { client_secret: string } }) => c.after.client_secret)).toEqual(
        PROFILES.map(() => '(unknown)'),
      );
      const planFile = JSON.parse(await readFile(join(w.dir, 'plan.json'), 'utf8'));
      expect(planFile.secrets).toEqual({});
    });

    it('after apply: "No changes", exit 0, and a warning per secret that cannot be compared', async () => {
      const w = await openWorld();
      await applyExample(w);
      const result = await w.cli(['plan', '--detailed-exitcode'], {
        env: { HUBSPOT_CLIENT_SECRET: undefined, SLACK_APP_TOKEN: undefined },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^No changes\./);
      expect(lines(result.stdout, 'Warning')).toEqual([
        'Warning (secret-unknown): profile "Acme HubSpot OAuth app": $HUBSPOT_CLIENT_SECRET not set, so the secret cannot be compared',
        'Warning (secret-unknown): profile "Acme Slack app": $SLACK_APP_TOKEN not set, so the secret cannot be compared',
      ]);
    });
  });

  describe('updates', () => {
    /** The lines that say something changes, and the summary. */
    const changeLines = (out: string) =>
      out.split('\n').filter((line) => /^ *(\+|-|~|-\/\+|<=|!) /.test(line));
    const ONE_UPDATE =
      'Plan: 0 to create, 0 to adopt, 1 to update, 0 to replace, 0 to delete; 0 to assign, 0 to unassign, 0 to swap.';

    it('a rotated secret is an update that shows "(sensitive value changed)" and nothing else', async () => {
      const w = await openWorld();
      await applyExample(w);
      const secret = await w.cli(['plan', '--detailed-exitcode'], {
        env: { ZOOM_CLIENT_SECRET: 'zoom-rotated-7777' },
      });
      expect(secret.code, secret.stderr).toBe(2);
      expect(changeLines(secret.stdout)).toEqual([
        '  ~ update in place',
        '  ~ profile["Acme Zoom app"] {',
        '      ~ client_secret = (sensitive value changed)',
      ]);
      expect(secret.stdout).toContain(ONE_UPDATE);
      expect(secret.stdout).not.toContain('zoom-rotated-7777');

      const token = await w.cli(['plan'], { env: { SLACK_APP_TOKEN: 'xoxb-rotated-8888' } });
      expect(token.code, token.stderr).toBe(0);
      expect(changeLines(token.stdout)).toEqual([
        '  ~ update in place',
        '  ~ profile["Acme Slack app"] {',
        '      ~ token    = (sensitive value changed)',
      ]);
      expect(token.stdout).not.toContain('xoxb-rotated-8888');
    });

    it('a new client_id shows old -> new', async () => {
      const w = await openWorld();
      await applyExample(w);
      await editConfig(w, ['client_id: acme-zoom-client', 'client_id: acme-zoom-client-v2']);
      const result = await w.cli(['plan', '--detailed-exitcode']);
      expect(result.code, result.stderr).toBe(2);
      expect(changeLines(result.stdout)).toEqual([
        '  ~ update in place',
        '  ~ profile["Acme Zoom app"] {',
        '      ~ client_id = "acme-zoom-client" -> "acme-zoom-client-v2"',
      ]);
      expect(result.stdout).toContain(ONE_UPDATE);
    });
  });

  it('reports drift when someone assigned or unassigned outside the tool, naming the profile and both counts', async () => {
    const w = await openWorld();
    const state = await applyExample(w);
    const hubspot = state.profiles['Acme HubSpot OAuth app']!.id;
    const zoom = state.profiles['Acme Zoom app']!.id;
    await callApiDirectly(w, 'POST', `/api/managed_users/4572/custom_oauth_profiles/${hubspot}/assign`);
    await callApiDirectly(
      w,
      'DELETE',
      `/api/managed_users/EA2308/custom_oauth_profiles/${zoom}/unassign?force=false`,
    );

    // Drift: a scheduled `plan --detailed-exitcode` exits 2 for it.
    const result = await runCounted(w, ['plan', '--detailed-exitcode']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.calls).toEqual([PROFILE_LISTING]);
    expect(result.stdout).toContain(
      `profile["Acme HubSpot OAuth app"]: id ${hubspot}: Workato counts 7 customer(s), the state records 6; assigned or unassigned outside workato-oauth`,
    );
    expect(result.stdout).toContain(
      `profile["Acme Zoom app"]: id ${zoom}: Workato counts 3 customer(s), the state records 4; assigned or unassigned outside workato-oauth`,
    );
    expect(result.stdout).toContain('repair: workato-oauth apply --reassert');

    const markdown = await w.cli(['plan', '--format', 'markdown']);
    expect(markdown.stdout).toContain('### Drift');
    expect(markdown.stdout).toContain('Workato counts 7 customer(s), the state records 6');
  });

  it('refuses to delete a profile with prevent_destroy: prints the plan, exits 3, says why', async () => {
    const w = await openWorld();
    await applyExample(w);
    await editConfig(
      w,
      [/ {2}Acme Salesforce app:\n(?: {4}.*\n)+\n/, ''],
      [/, Acme Salesforce app\]/g, ']'],
      [/\[Acme Salesforce app, /g, '['],
      ['[Acme Salesforce app]', '[]'],
    );
    const config = await readFile(configPath(w), 'utf8');
    expect(config).not.toContain('Salesforce');

    const result = await runCounted(w, ['plan', '--detailed-exitcode', '--out', 'plan.json']);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      '  # profile["Acme Salesforce app"] would be deleted (prevent_destroy is set)',
    );
    expect(result.stdout).toContain('1 to delete (1 refused)');
    expect(result.stderr).toContain(
      'error: the plan is refused:\n  profile["Acme Salesforce app"] has prevent_destroy; to delete it, first apply it with prevent_destroy: false, then remove it\n',
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
    // Refused at plan time: no plan file to apply, and nothing was changed.
    expect(existsSync(join(w.dir, 'plan.json'))).toBe(false);
    expect(result.calls).toEqual([PROFILE_LISTING]);
  });

  it(
    'gives byte-identical output for the same inputs, in every format',
    async () => {
      const w = await openWorld();
      const env = await makeRichScenario(w);
      for (const format of ['text', 'markdown', 'json']) {
        const one = await w.cli(['plan', '--format', format], { env });
        const two = await w.cli(['plan', '--format', format], { env });
        expect(one.code, one.stderr).toBe(0);
        expect(two.stdout).toBe(one.stdout);
      }
      // The scenario has something to order: every kind of change it set up is there.
      const text = (await w.cli(['plan'], { env })).stdout;
      for (const head of [
        '  + profile[',
        '  ~ profile[',
        '-/+ assignment[',
        '  + assignment[',
        '  - assignment[',
      ]) {
        expect(text, head).toContain(head);
      }
    },
    SLOW_TEST_MS,
  );
});
