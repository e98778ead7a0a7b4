#!/usr/bin/env node
/**
 * The honest benchmark (issue 11): whole processes of the built CLI, cold, against
 * the emulator running in this process. For 1k, 10k and 100k customers × 3 profiles:
 * first and steady plans (CPU, peak RSS, wall), validate, apply's CPU per call
 * beyond its plan, and API calls against the least possible and a naive
 * reconciler; `validate` cold start against `node -e 0`; pacing efficiency at the
 * real 60-second window. Prints one table, writes bench/results/<date>.json.
 *
 *   npm run bench                      (builds first)
 *   BENCH_SIZES=1000,10000 node scripts/bench.mjs
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../dist/emulator/server.js';
import { measuredWith, measureMedian, measureNode, median } from './bench/measure.mjs';
import { runPacing } from './bench/pacing.mjs';
import { configText, PROFILES, SECRET_ENV, stateText, TOKEN, worldData } from './bench/world.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'bin/workato-oauth.js');
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const PLAN_RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COLD_RUNS = 11;
const RATE = '5000'; // per minute: no pacing wait in these runs, and few slots for the pacer to scan
const RECORD_CALLS = [10, 1010]; // the larger capped at the size: one customer per call
const APPLY_RUNS = Number(process.env.BENCH_APPLY_RUNS ?? 3);
const APPLY_RATE = '60000'; // per minute: 1,000 calls pass in about a second, unpaced
const started = Date.now();

const rows = [];
const results = { date: new Date().toISOString(), machine: machine(), measuredWith, sizes: {} };

function machine() {
  return { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, platform: process.platform };
}

/** One row of the table: a figure, its target and whether it is met (undefined: no target). */
function row(figure, size, measured, target, met) {
  rows.push({
    figure,
    size,
    measured,
    target: target ?? '',
    verdict: met === undefined ? '' : met ? 'ok' : 'MISSED',
  });
}

const fmt = {
  ms: (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`),
  mb: (mb) => `${Math.round(mb)} MB`,
  n: (n) => n.toLocaleString('en-US'),
  k: (n) => (n >= 1000 ? `${n / 1000}k` : String(n)),
};

function env(url) {
  return { NO_COLOR: '1', WORKATO_API_TOKEN: TOKEN, WORKATO_API_URL: url, ...SECRET_ENV };
}

/** Calls the plan says apply would make (0 when it prints none). */
function plannedCalls(stdout) {
  const match = /^API calls: ([\d,]+)/m.exec(stdout);
  return match ? Number(match[1].replaceAll(',', '')) : 0;
}

async function withEmulator(world, fn) {
  const emulator = await startEmulator({ token: TOKEN, world, ratePerMinute: 10_000_000 });
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

/** A plan as a whole process: figures, the reads it made and the calls it plans. */
async function plan(emulator, dir, config, state, runs) {
  const from = emulator.requestLog.length;
  const args = [CLI, 'plan', '-f', config, '--state', state, '--rate-limit', RATE];
  // A plan writes the customers it checked into the state: each run starts from the state as given.
  const path = join(dir, state);
  const original = existsSync(path) ? readFileSync(path) : undefined;
  const restore = () =>
    original === undefined ? rmSync(path, { force: true }) : writeFileSync(path, original);
  const run = await measureMedian(runs, args, { env: env(emulator.url), cwd: dir }, restore);
  restore();
  if (run.code !== 0) throw new Error(`plan failed (${run.code}): ${run.stderr}`);
  const reads = (emulator.requestLog.length - from) / runs;
  return {
    cpuMs: run.cpuMs,
    rssMb: run.rssMb,
    wallMs: run.wallMs,
    runs,
    reads,
    writes: plannedCalls(run.stdout),
  };
}

async function benchSize(n) {
  const dir = mkdtempSync(join(tmpdir(), `wo-bench-${n}-`));
  const onePercent = Math.max(1, n / 100);
  const file = (name, text) => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const every = (count, step) => new Set(Array.from({ length: count }, (_, i) => i * step));
  const base = file('base.yaml', configText(n));
  // Customers 0, 5, 10... hold HubSpot app 0; 1% of all customers move to app 1.
  const change = file('change.yaml', configText(n, { swapped: every(onePercent, 5) }));
  const grown = file('grown.yaml', configText(n + onePercent));
  const out = { customers: n, profiles: PROFILES.length };
  const P = PROFILES.length;
  const least = {
    onboarding: 1 + Math.min(n, Math.ceil(n / 100)) + P + 3 * n,
    noChange: 1,
    change: 1 + 2 * onePercent,
    newCustomers: 1 + Math.min(onePercent, Math.ceil((n + onePercent) / 100)) + 3 * onePercent,
  };
  const naive = {
    onboarding: 1 + P + 3 * n,
    noChange: 1 + P + 3 * n,
    change: 1 + P + 3 * n,
    newCustomers: 1 + P + 3 * (n + onePercent),
  };

  out.firstPlan = await withEmulator(worldData(n, 0), (e) =>
    plan(e, dir, base, 'none.state.json', PLAN_RUNS),
  );
  const onboarded = worldData(n + onePercent, n);
  await withEmulator(onboarded, async (e) => {
    writeFileSync(join(dir, 'steady.state.json'), await stateText(n, e.url));
    out.steadyPlan = await plan(e, dir, base, 'steady.state.json', PLAN_RUNS);
    out.changePlan = await plan(e, dir, change, 'steady.state.json', 1);
    out.newCustomersPlan = await plan(e, dir, grown, 'steady.state.json', 1);
  });

  const validate = await measureNode([CLI, 'validate', '-f', base], { cwd: dir });
  if (validate.code !== 0) throw new Error(`validate failed: ${validate.stderr}`);
  out.validate = { cpuMs: validate.cpuMs, rssMb: validate.rssMb, wallMs: validate.wallMs };

  // Apply's CPU per call beyond its own plan: two applies that differ only in how
  // many customers gain a fourth profile (one call each), each run against a fresh
  // copy of the world. A 100k apply is about 8 s CPU and varies by ±0.2 s between
  // runs, so the difference must span about 1,000 calls to resolve 0.2 ms per call;
  // runs alternate between the two (median of APPLY_RUNS each) so drift in the
  // machine's speed falls on both alike.
  const counts = [RECORD_CALLS[0], Math.min(n, RECORD_CALLS[1])];
  const configs = counts.map((calls) =>
    file(`extra-${calls}.yaml`, configText(n, { extra: every(calls, Math.floor(n / calls)) })),
  );
  const samples = counts.map(() => []);
  for (let run = 0; run < APPLY_RUNS; run++) {
    for (const [i, config] of configs.entries()) samples[i].push(await applyOnce(n, dir, config));
  }
  const applies = counts.map((calls, i) => ({
    calls,
    runs: APPLY_RUNS,
    cpuMs: median(samples[i].map((r) => r.cpuMs)),
    wallMs: median(samples[i].map((r) => r.wallMs)),
    rssMb: median(samples[i].map((r) => r.rssMb)),
  }));
  const [few, many] = applies;
  out.apply = { runs: applies, cpuMsPerCall: (many.cpuMs - few.cpuMs) / (many.calls - few.calls) };

  const measuredCalls = {
    onboarding: out.firstPlan.reads + out.firstPlan.writes,
    noChange: out.steadyPlan.reads + out.steadyPlan.writes,
    change: out.changePlan.reads + out.changePlan.writes,
    newCustomers: out.newCustomersPlan.reads + out.newCustomersPlan.writes,
  };
  out.calls = Object.fromEntries(
    Object.keys(least).map((k) => [k, { measured: measuredCalls[k], least: least[k], naive: naive[k] }]),
  );
  rmSync(dir, { recursive: true, force: true });
  return out;
}

/** One apply as a whole process, against a fresh onboarded world of n customers and its state. */
async function applyOnce(n, dir, config) {
  return withEmulator(worldData(n, n), async (e) => {
    writeFileSync(join(dir, 'apply.state.json'), await stateText(n, e.url));
    const args = [CLI, 'apply', '-f', config, '--state', 'apply.state.json', '--rate-limit', APPLY_RATE];
    const run = await measureNode([...args, '--auto-approve', '--quiet'], { env: env(e.url), cwd: dir });
    if (run.code !== 0) throw new Error(`apply failed (${run.code}): ${run.stderr}`);
    return run;
  });
}

function reportSize(n, r) {
  const size = fmt.k(n);
  const planTarget = n === 100_000 ? [8000, 1024] : n === 10_000 ? [1000, 200] : undefined;
  for (const [label, p] of [
    ['first plan', r.firstPlan],
    ['steady plan', r.steadyPlan],
  ]) {
    const figure = `${fmt.ms(p.cpuMs)} CPU, ${fmt.mb(p.rssMb)}, ${fmt.ms(p.wallMs)} wall`;
    const target = planTarget && `< ${fmt.ms(planTarget[0])} CPU, < ${fmt.mb(planTarget[1])}`;
    row(label, size, figure, target, planTarget && p.cpuMs < planTarget[0] && p.rssMb < planTarget[1]);
  }
  const v = r.validate;
  const vTarget = n === 100_000 ? [3000, 500] : undefined;
  row(
    'validate',
    size,
    `${fmt.ms(v.cpuMs)} CPU, ${fmt.mb(v.rssMb)}, ${fmt.ms(v.wallMs)} wall`,
    vTarget && `< ${fmt.ms(vTarget[0])} CPU, < ${fmt.mb(vTarget[1])}`,
    vTarget && v.cpuMs < vTarget[0] && v.rssMb < vTarget[1],
  );
  const perCall = r.apply.cpuMsPerCall;
  row(
    'apply: CPU per call beyond its plan (recording)',
    size,
    `${perCall.toFixed(2)} ms`,
    '< 5 ms at every size',
    perCall < 5,
  );
  const names = {
    onboarding: 'onboarding',
    noChange: 'no change',
    change: '1% change',
    newCustomers: '1% new customers',
  };
  for (const [key, c] of Object.entries(r.calls)) {
    const ratio = c.naive / c.measured;
    row(
      `API calls: ${names[key]}`,
      size,
      `${fmt.n(c.measured)} (naive ${fmt.n(c.naive)}, ${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}× more)`,
      `= least ${fmt.n(c.least)}`,
      c.measured <= c.least,
    );
  }
}

async function coldStart() {
  const example = join(root, 'examples/workato-oauth.yaml');
  const samples = { node: [], validate: [], help: [] };
  for (let i = 0; i < COLD_RUNS; i++) {
    samples.node.push((await measureNode(['-e', '0'])).wallMs);
    const v = await measureNode([CLI, 'validate', '-f', example], { env: SECRET_ENV });
    if (v.code !== 0) throw new Error(`validate failed: ${v.stderr}`);
    samples.validate.push(v.wallMs);
    samples.help.push((await measureNode([CLI, '--help'])).wallMs);
  }
  const cold = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  results.coldStart = { runs: COLD_RUNS, wallMs: cold };
  row(
    'validate the example, cold',
    '',
    `${fmt.ms(cold.validate)} wall (node -e 0: ${fmt.ms(cold.node)})`,
    '< 250 ms',
    cold.validate < 250,
  );
  row('--help, cold', '', `${fmt.ms(cold.help)} wall`, '< 250 ms', cold.help < 250);
}

function printTable() {
  const headers = ['figure', 'size', 'measured', 'target', ''];
  const cells = rows.map((r) => [r.figure, r.size, r.measured, r.target, r.verdict]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join(
    '\n',
  );
}

// The pacing run waits on the rate limit for about two minutes, using almost no
// CPU: it runs beside the rest instead of after it.
const pacing = runPacing(CLI);
await coldStart();
for (const n of SIZES) {
  process.stderr.write(`bench: ${fmt.n(n)} customers...\n`);
  results.sizes[n] = await benchSize(n);
  reportSize(n, results.sizes[n]);
}
process.stderr.write('bench: waiting for the pacing run...\n');
results.pacing = await pacing;
const p = results.pacing;
row(
  `pacing at ${p.rate}/min, 60 s window`,
  `${p.calls} calls`,
  `${(100 * p.efficiency).toFixed(1)}% (least ${p.leastSeconds} s, took ${p.seconds.toFixed(1)} s, ${p.tooMany} × 429)`,
  '≥ 95%, no 429',
  p.efficiency >= 0.95 && p.tooMany === 0,
);
results.rows = rows;
results.seconds = (Date.now() - started) / 1000;
const table = printTable();
console.log(table);
console.log(
  `\n${rows.filter((r) => r.verdict === 'MISSED').length} of ${rows.filter((r) => r.verdict).length} targets missed; ${Math.round(results.seconds)} s in all; CPU and RSS by ${measuredWith}.`,
);
mkdirSync(join(root, 'bench/results'), { recursive: true });
const out = join(root, 'bench/results', `${results.date.slice(0, 10)}.json`);
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`Wrote ${out.slice(root.length)}`);
