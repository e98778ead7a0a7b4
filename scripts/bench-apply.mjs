#!/usr/bin/env node
// Apply throughput: how close does an apply come to the rate limit it is paced at?
// Real Workato allows 60 requests per 60 s window per bucket; to measure in seconds
// rather than hours, the client and the emulator both use a 1 s window here, so the
// limit is 60 requests per second per bucket and the shape of the pacing is the same.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../dist/api/client.js';
import { executePlan } from '../dist/apply/execute.js';
import { StateRecorder } from '../dist/apply/recorder.js';
import { startEmulator } from '../dist/emulator/server.js';
import { emptyState } from '../dist/state/store.js';

const WINDOW_MS = 1000;
const RATE = 60;
const CUSTOMERS = 600;

const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({
  id: 10_000 + i,
  external_id: `X${i}`,
  name: `C${i}`,
}));
const emulator = await startEmulator({
  token: 't',
  ratePerMinute: RATE,
  rateWindowMs: WINDOW_MS,
  world: {
    customers,
    profiles: [{ id: 1, name: 'P', provider: 'hubspot', client_id: 'c', client_secret: 's' }],
  },
  faults: { latencyMs: [5, 25], seed: 7 },
});
const dir = await mkdtemp(join(tmpdir(), 'wo-bench-apply-'));
const state = emptyState(emulator.url);
state.profiles.P = { id: 1, provider: 'hubspot', client_id: 'c', updated_at: 'x', prevent_destroy: false };
const plan = {
  changes: customers.map((c) => ({
    kind: 'assignment',
    action: 'assign',
    address: `assignment["E:${c.external_id}"]["P"]`,
    customer: `E:${c.external_id}`,
    profile: 'P',
  })),
  unmanaged: [],
  warnings: [],
  apiCalls: { profiles: 0, embedded: CUSTOMERS },
  ratePerMinute: RATE,
};

for (const concurrency of [1, 4, 16]) {
  const client = createClient({
    baseUrl: emulator.url,
    token: 't',
    ratePerMinute: RATE,
    windowMs: WINDOW_MS,
  });
  emulator.world.toData(); // warm
  const recorder = new StateRecorder(join(dir, `state-${concurrency}.json`), structuredClone(state));
  const started = performance.now();
  const outcomes = await executePlan(plan, {
    client,
    recorder,
    profileInput: () => {
      throw new Error('unused');
    },
    fingerprints: () => ({}),
    preventDestroy: () => false,
    forceFor: () => false,
    forceUnassignAll: false,
    customers: {},
    concurrency,
  });
  const seconds = (performance.now() - started) / 1000;
  const done = outcomes.filter((o) => o.status === 'done').length;
  const counts = client.counts();
  const limited = emulator.requestLog.filter((e) => e.status === 429).length;
  // Lower bound: the first RATE go at once, then RATE per window.
  const least = (Math.ceil(CUSTOMERS / RATE) - 1) * (WINDOW_MS / 1000);
  console.log(
    `concurrency ${String(concurrency).padStart(2)}: ${done}/${CUSTOMERS} assigns in ${seconds.toFixed(2)} s ` +
      `(least ${least} s at ${RATE}/window) = ${(done / seconds).toFixed(1)}/s vs limit ${RATE / (WINDOW_MS / 1000)}/s; ` +
      `${counts.requests.embedded} requests, ${counts.retries.embedded} retries, ${limited} answered 429`,
  );
  emulator.requestLog.length = 0;
  // Unassign everything again, outside the measurement, for the next round.
  for (const c of customers) emulator.world.unassignProfile({ id: c.id }, 1, { force: true });
  await client.close();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
}
await emulator.close();
await rm(dir, { recursive: true, force: true });
