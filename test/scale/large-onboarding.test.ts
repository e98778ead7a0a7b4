/**
 * 100,000 customers × 3 profiles: the largest partners' size, and three times the
 * size (about 41,000 × 3) at which a spread into push() used to throw "Maximum call
 * stack size exceeded". The plan is the whole CLI in this process against the
 * emulator over HTTP (config parsing, verification by listing, planning, rendering,
 * the plan file); the apply runs the executor and the real client against the same
 * emulator in this process without sockets (RunningEmulator.answer), because
 * 300,000 loopback requests would take minutes.
 *
 * The state is recorded in memory here: StateRecorder rewrites the whole state
 * after every call (about 0.4 s at this size), which the journal replaces; the
 * recording's cost per call is a benchmark figure (npm run bench), not this test's.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveProfile } from '../../src/api/types.js';
import { executePlan } from '../../src/apply/execute.js';
import type { Fingerprints, StateRecorder } from '../../src/apply/recorder.js';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.js';
import { createLocalBackend } from '../../src/state/local-backend.js';
import { emptyState } from '../../src/state/store.js';
import type { State } from '../../src/state/types.js';
import { planAgainst, readConfig } from '../../src/workflow/plan.js';
import { loadState } from '../../src/workflow/state-backend.js';
import { runCli } from '../commands/harness.js';
import { profileInputs, socketlessClient } from '../commands/socketless-apply.js';
import { memoryIo } from '../memory-io.js';

const CUSTOMERS = 100_000;
const TOKEN = 'scale-token';
const SECRETS = {
  HUBSPOT_SECRET: 'hs-secret-scale',
  SALESFORCE_SECRET: 'sf-secret-scale',
  ZOOM_SECRET: 'zm-secret-scale',
};
const PROFILES = [
  { name: 'Acme HubSpot', provider: 'hubspot', secret: 'HUBSPOT_SECRET' },
  { name: 'Acme Salesforce', provider: 'salesforce', secret: 'SALESFORCE_SECRET' },
  { name: 'Acme Zoom', provider: 'zoom', secret: 'ZOOM_SECRET' },
];

function configText(): string {
  const lines = ['version: 1', 'profiles:'];
  for (const p of PROFILES) {
    lines.push(`  ${p.name}:`, `    provider: ${p.provider}`, `    client_id: ${p.provider}-client`);
    lines.push(`    client_secret: \${${p.secret}}`);
  }
  lines.push('customers:');
  const held = `[${PROFILES.map((p) => p.name).join(', ')}]`;
  for (let i = 0; i < CUSTOMERS; i++) lines.push(`  - external_id: C${i}`, `    profiles: ${held}`);
  return `${lines.join('\n')}\n`;
}

/** The in-memory state an apply records, by the recorder's methods the executor calls for this plan. */
class MemoryRecorder {
  readonly state: State;
  constructor(state: State) {
    this.state = state;
  }
  async recordProfile(name: string, live: LiveProfile, fingerprints: Fingerprints) {
    this.state.profiles[name] = {
      id: live.id,
      provider: live.provider,
      client_id: live.data.client_id,
      updated_at: live.updated_at,
      ...(fingerprints.client_secret ? { client_secret_fingerprint: fingerprints.client_secret } : {}),
      prevent_destroy: false,
    };
  }
  async recordAssignment(key: string, profile: string, known?: { id: number; external_id: string | null }) {
    const customer = this.state.customers[key] ?? { external_id: key.slice(2), profiles: [] };
    this.state.customers[key] = customer;
    if (known) customer.id = known.id;
    customer.profiles.push(profile);
  }
}

describe('100,000 customers × 3 profiles', () => {
  let emulator: RunningEmulator;
  let dir: string;
  const env = { NO_COLOR: '1', WORKATO_API_TOKEN: TOKEN, ...SECRETS };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wo-scale-'));
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({
      id: 1_000_000 + i,
      external_id: `C${i}`,
      name: `Customer ${i}`,
    }));
    emulator = await startEmulator({ token: TOKEN, world: { customers }, ratePerMinute: 10_000_000 });
    await writeFile(join(dir, 'workato-oauth.yaml'), configText());
  }, 60_000);
  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('plans 300,000 assignments with the CLI: every one listed, a plan file written', async () => {
    const run = await runCli(
      ['plan', '--out', 'onboard.plan', '--rate-limit', '2000', '--api-url', emulator.url],
      { env, cwd: dir },
    );
    expect(run.stderr).toMatch(
      /^Recorded 100000 customer\(s\) found to exist in workato-oauth.state.json; apply will not check them again.\nPlanning read the workspace in .*\nSaved the plan to onboard.plan;/,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Plan: 3 to create, .*; 300,000 to assign, 0 to unassign/);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('  + assignment[')).length).toBe(300_000);
    // The customers are checked by listing them (about 1,000 pages), not by 100,000 GETs.
    expect(emulator.requestLog.length).toBeLessThan(2_000);
    const planFile = JSON.parse(await readFile(join(dir, 'onboard.plan'), 'utf8')) as {
      plan: { changes: unknown[] };
    };
    expect(planFile.plan.changes.length).toBe(300_003);
  }, 300_000);

  it('applies them: every customer holds its 3 profiles, one call per change', async () => {
    const io = memoryIo({ env: { ...env, WORKATO_API_URL: emulator.url }, cwd: dir });
    const config = await readConfig(join(dir, 'workato-oauth.yaml'), io);
    const client = socketlessClient(emulator, TOKEN);
    try {
      const state = await loadState(createLocalBackend(join(dir, 'none.state.json')), emulator.url);
      // The plan above checked that the customers exist; this one plans the same changes without.
      const prepared = await planAgainst(config, client, state, { verifyCustomers: false });
      expect(prepared.plan.changes.length).toBe(300_003);
      const from = emulator.requestLog.length;
      const outcomes = await executePlan(prepared.plan, {
        client,
        recorder: new MemoryRecorder(emptyState(emulator.url)) as unknown as StateRecorder,
        profileInput: profileInputs(config.desired.profiles),
        fingerprints: () => ({}),
        preventDestroy: () => false,
        customers: Object.fromEntries(prepared.live.customers),
        concurrency: 16,
      });
      const failed = outcomes.filter((o) => o.status !== 'done');
      expect(failed.slice(0, 3)).toEqual([]);
      expect(emulator.requestLog.length - from).toBe(300_003);
    } finally {
      await client.close();
    }
    const world = emulator.world.toData();
    const held = new Map<number, number>();
    for (const c of world.customers) held.set(c.profiles.length, (held.get(c.profiles.length) ?? 0) + 1);
    expect([...held]).toEqual([[3, CUSTOMERS]]);
  }, 300_000);
});
