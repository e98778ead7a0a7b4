#!/usr/bin/env node
/**
 * How long the pure planner and the renderers take on a large config: 10,000
 * customers holding 3 profiles each, generated in memory as a desired state.
 *   (a) first onboarding: empty state, no live profile -> 30,000 assigns;
 *   (b) converged: state and live profiles match the config -> no changes;
 *   (c) the API calls a plan makes to check that customers new to the state exist:
 *       10,000 on a first onboarding, and 5 in a workspace far bigger than the state.
 * Run after `npm run build`:
 *   node scripts/bench-plan.mjs [customers] [runs]
 */
import { performance } from 'node:perf_hooks';
import { ApiError } from '../dist/api/errors.js';
import { estimatePacedMs } from '../dist/api/pacing.js';
import { customerKey } from '../dist/config/types.js';
import { computePlan } from '../dist/plan/diff.js';
import { chooseVerification, fetchLiveState } from '../dist/plan/live.js';
import { DEFAULT_RATE_PER_MINUTE } from '../dist/plan/prepare.js';
import { renderJson } from '../dist/render/json.js';
import { DEFAULT_MARKDOWN_MAX_CHARS, renderMarkdown } from '../dist/render/markdown.js';
import { renderText } from '../dist/render/text.js';

const customers = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 7);
const PROVIDERS = ['hubspot', 'salesforce', 'slack', 'zoom', 'outlook', 'google_drive'];
const PROFILES_PER_PROVIDER = 6;
const PROFILES_PER_CUSTOMER = 3;
const FINGERPRINT = 'scrypt$16384$8$1$c2FsdA$aGFzaA';
const STAMP = '2026-01-01T00:00:00.000+00:00';

/** Profiles `<provider> app <n>`; each customer holds one profile of 3 different providers. */
function generateDesired() {
  const profiles = [];
  for (const provider of PROVIDERS) {
    for (let n = 0; n < PROFILES_PER_PROVIDER; n++) {
      const variable = `${provider.toUpperCase()}_${n}_CLIENT_SECRET`;
      profiles.push({
        name: `${provider} app ${n}`,
        provider,
        clientId: `${provider}-client-${n}`,
        clientSecret: { known: true, ref: variable, value: `secret-${provider}-${n}` },
        ...(provider === 'slack'
          ? { token: { known: true, ref: 'SLACK_APP_TOKEN', value: 'slack-app-token' } }
          : {}),
        preventDestroy: n === 0,
      });
    }
  }
  const list = [];
  for (let i = 0; i < customers; i++) {
    const ref = i % 10 === 9 ? { id: 100_000 + i } : { externalId: `C ${i}/x` };
    const held = [];
    for (let k = 0; k < PROFILES_PER_CUSTOMER; k++) {
      const provider = PROVIDERS[(i + k * 2) % PROVIDERS.length];
      held.push(`${provider} app ${(i + k) % PROFILES_PER_PROVIDER}`);
    }
    list.push({ ref, profiles: held, forceUnassign: i % 50 === 0 });
  }
  return { workspace: {}, profiles, customers: list };
}

function emptyState() {
  return {
    version: 1,
    lineage: '00000000-0000-4000-8000-000000000000',
    serial: 0,
    workspace: 'https://www.workato.com',
    profiles: {},
    customers: {},
  };
}

/** What the state, the live profiles and the secret checks are once the config is applied. */
function convergedWorld(desired) {
  const state = { ...emptyState(), serial: 1 };
  const holders = new Map();
  desired.customers.forEach((c, i) => {
    const key = customerKey(c.ref);
    state.customers[key] = {
      id: 'id' in c.ref ? c.ref.id : 1_000_000 + i,
      external_id: 'externalId' in c.ref ? c.ref.externalId : `X${i}`,
      profiles: [...c.profiles].sort(),
    };
    for (const p of c.profiles) holders.set(p, (holders.get(p) ?? 0) + 1);
  });
  const live = desired.profiles.map((p, i) => {
    state.profiles[p.name] = {
      id: 5000 + i,
      provider: p.provider,
      client_id: p.clientId,
      updated_at: STAMP,
      client_secret_fingerprint: FINGERPRINT,
      ...(p.token ? { token_fingerprint: FINGERPRINT } : {}),
      prevent_destroy: p.preventDestroy,
    };
    return {
      id: 5000 + i,
      user_id: 1,
      name: p.name,
      provider: p.provider,
      data: { client_id: p.clientId },
      shared_accounts_count: 0,
      oem_customers_count: holders.get(p.name) ?? 0,
      created_at: STAMP,
      updated_at: STAMP,
    };
  });
  return { state, live, secrets: secretChecks(desired, 'same') };
}

/** `changed` for a first onboarding (the state has no fingerprint), `same` once converged. */
function secretChecks(desired, status) {
  return new Map(
    desired.profiles.map((p) => [
      p.name,
      {
        client_secret: { status, fingerprint: FINGERPRINT },
        token: p.token ? { status, fingerprint: FINGERPRINT } : { status: 'absent' },
      },
    ]),
  );
}

/** Wall and CPU milliseconds of `fn`; CPU time is what a busy machine cannot inflate. */
function measure(fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, wall, cpu: (used.user + used.system) / 1000 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (n) => `${n.toFixed(1)} ms`;

function bench(label, input) {
  const steps = {
    computePlan: () => computePlan(input),
  };
  const timings = { computePlan: [], renderText: [], renderMarkdown: [], renderJson: [] };
  let plan;
  let outputs;
  for (let run = 0; run < runs; run++) {
    const planned = measure(steps.computePlan);
    plan = planned.value;
    timings.computePlan.push(planned);
    const text = measure(() => renderText(plan, { color: false }));
    const markdown = measure(() => renderMarkdown(plan));
    const json = measure(() => renderJson(plan));
    timings.renderText.push(text);
    timings.renderMarkdown.push(markdown);
    timings.renderJson.push(json);
    outputs = { text: text.value, markdown: markdown.value, json: json.value };
  }
  const changes = plan.changes.length;
  console.log(`\n${label}: ${changes.toLocaleString('en-US')} changes, ${plan.warnings.length} warnings`);
  for (const [step, values] of Object.entries(timings)) {
    const wall = median(values.map((t) => t.wall));
    const cpu = median(values.map((t) => t.cpu));
    console.log(`  ${step.padEnd(15)} median wall ${ms(wall).padStart(9)}, CPU ${ms(cpu).padStart(9)}`);
  }
  const total = Object.values(timings).reduce((sum, values) => sum + median(values.map((t) => t.wall)), 0);
  console.log(`  ${'all four'.padEnd(15)} ${ms(total)} (sum of medians)`);
  const size = (text) => `${text.length.toLocaleString('en-US')} chars`;
  console.log(
    `  output: text ${size(outputs.text)}, markdown ${size(outputs.markdown)} ` +
      `(limit ${DEFAULT_MARKDOWN_MAX_CHARS.toLocaleString('en-US')}), json ${size(outputs.json)}`,
  );
  if (outputs.markdown.length > DEFAULT_MARKDOWN_MAX_CHARS)
    throw new Error('markdown over the comment limit');
  return plan;
}

const desired = generateDesired();
console.log(
  `config: ${desired.profiles.length} profiles, ${desired.customers.length.toLocaleString('en-US')} customers × ` +
    `${PROFILES_PER_CUSTOMER} profiles; ${runs} runs each, median`,
);

const first = bench('(a) first onboarding (empty state)', {
  desired,
  state: emptyState(),
  live: [],
  secrets: secretChecks(desired, 'changed'),
  ratePerMinute: DEFAULT_RATE_PER_MINUTE,
});
const expectedAssigns = customers * PROFILES_PER_CUSTOMER;
const assigns = first.changes.filter((c) => c.action === 'assign').length;
if (assigns !== expectedAssigns) throw new Error(`expected ${expectedAssigns} assigns, got ${assigns}`);

const converged = bench('(b) converged (no changes)', {
  desired,
  ...convergedWorld(desired),
  ratePerMinute: DEFAULT_RATE_PER_MINUTE,
});
if (converged.changes.length !== 0 || converged.warnings.length !== 0) {
  throw new Error('the converged world should plan nothing');
}

// (c) The calls a plan makes to check that customers new to the state exist, counted
// through fetchLiveState against an in-memory workspace that pages like Workato
// (100 per page; a short page is the last) and answers 404 for an unknown customer.
function fakeWorkspace(size) {
  const all = [];
  for (let i = 0; i < size; i++) {
    all.push(
      i % 10 === 9 ? { id: 100_000 + i, external_id: `X${i}` } : { id: 200_000 + i, external_id: `C ${i}/x` },
    );
  }
  const byKey = new Map(
    all.flatMap((c) => [
      [`id:${c.id}`, c],
      [`ext:${c.external_id}`, c],
    ]),
  );
  const calls = { profiles: 0, listing: 0, get: 0 };
  const client = {
    ratePerMinute: DEFAULT_RATE_PER_MINUTE,
    async listProfiles() {
      calls.profiles += 1;
      return [];
    },
    async listCustomers(onPage) {
      for (let start = 0; ; start += 100) {
        calls.listing += 1;
        const page = all.slice(start, start + 100);
        if (onPage?.(page) === false || page.length < 100) return;
      }
    },
    async getCustomer(ref) {
      calls.get += 1;
      const found = byKey.get('id' in ref ? `id:${ref.id}` : `ext:${ref.externalId}`);
      if (found) return found;
      throw new ApiError('not found', {
        method: 'GET',
        path: '/api/managed_users/x',
        endpoint: 'get customer',
        status: 404,
      });
    },
  };
  return { client, calls };
}

async function countVerification(label, { workspace, state, config }) {
  const { client, calls } = fakeWorkspace(workspace);
  await fetchLiveState(client, config, state, { verifyCustomers: true });
  const total = calls.profiles + calls.listing + calls.get;
  const least = estimatePacedMs(calls.listing + calls.get, { ratePerMinute: DEFAULT_RATE_PER_MINUTE }) / 1000;
  console.log(
    `  ${label}: ${total.toLocaleString('en-US')} calls (profiles ${calls.profiles}, customer listing ${calls.listing}, ` +
      `customer GETs ${calls.get}); the embedded bucket waits at least ${least.toFixed(0)} s at ${DEFAULT_RATE_PER_MINUTE}/min`,
  );
}

const getEachSeconds = estimatePacedMs(customers, { ratePerMinute: DEFAULT_RATE_PER_MINUTE }) / 1000;
console.log('\n(c) calls to check that the customers new to the state exist:');
console.log(
  `  chooseVerification(${customers}, 0) = '${chooseVerification(customers, 0)}'; the alternative, one GET each, ` +
    `is ${customers.toLocaleString('en-US')} calls (at least ${(getEachSeconds / 60).toFixed(0)} min)`,
);
await countVerification(`first plan, ${customers.toLocaleString('en-US')} new in a workspace of as many`, {
  workspace: customers,
  state: emptyState(),
  config: desired,
});
// A state that knows 100 customers of a 20,000-customer workspace; a pull request adds the last 5.
const known = emptyState();
for (let i = 0; i < 100; i++) known.customers[`E:C ${i}/x`] = { external_id: `C ${i}/x`, profiles: [] };
const fewNew = {
  ...desired,
  customers: [19_990, 19_991, 19_992, 19_993, 19_994].map((i) => ({
    ref: { externalId: `C ${i}/x` },
    profiles: ['zoom app 1'],
    forceUnassign: false,
  })),
};
await countVerification('5 new to a state that knows 100, in a workspace of 20,000', {
  workspace: 20_000,
  state: known,
  config: fewNew,
});
