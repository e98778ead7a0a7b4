/**
 * Rows for bad files: mutated configs (`validate`), mutated state files
 * (`plan` against an emulator) and mutated plan files (`apply PLANFILE`
 * against a fresh emulator). Each case runs the built CLI's program in a
 * worker, a few at once; a case over 20 s has its worker killed and fails.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  API_TOKEN,
  caseSeed,
  checkCleanFailure,
  EXAMPLE_CONFIG,
  FAST,
  firstErrorLine,
  makeRow,
  openCase,
  pool,
  SECRETS,
  seeded,
  worldView,
} from './lib.mjs';
import { mutateConfig, mutateJson } from './mutate.mjs';

const CASE_LIMIT_MS = 20_000;
const WORKERS = 3;
const ENV = { NO_COLOR: '1', WORKATO_API_TOKEN: API_TOKEN, ...SECRETS };

/** A worker that can be replaced when a case overruns. */
function workerSlot() {
  let worker;
  const fresh = () => {
    worker = new Worker(new URL('./file-worker.mjs', import.meta.url));
    worker.unref();
  };
  fresh();
  return {
    run(job) {
      return new Promise((resolve) => {
        const started = Date.now();
        const timer = setTimeout(() => {
          worker.removeAllListeners('message');
          worker.terminate();
          fresh();
          resolve({ timedOut: true, ms: Date.now() - started, code: null, stdout: '', stderr: '' });
        }, CASE_LIMIT_MS);
        worker.once('message', (result) => {
          clearTimeout(timer);
          resolve({ ...result, timedOut: false, ms: Date.now() - started });
        });
        worker.postMessage(job);
      });
    },
    close: () => worker.terminate(),
  };
}

async function withWorkers(jobs, judge) {
  const slots = Array.from({ length: WORKERS }, workerSlot);
  const free = [...slots];
  try {
    await pool(jobs, WORKERS, async (job) => {
      const slot = free.pop();
      try {
        judge(job, await slot.run(job.work));
      } finally {
        free.push(slot);
      }
    });
  } finally {
    await Promise.all(slots.map((s) => s.close()));
  }
}

/** Exit 0 (the mutation happened to be valid) or a clean exit 1; never a raw error, never over the limit. */
function judgeRun(result, { rejectCodes = [1] } = {}) {
  if (result.timedOut) return `no answer within ${CASE_LIMIT_MS / 1000} s`;
  if (result.code === 0) return undefined;
  const bad = checkCleanFailure(result, rejectCodes);
  return bad ? `${bad}: ${firstErrorLine(result)}` : undefined;
}

async function runConfigs(seed, scale) {
  const row = makeRow(
    'configs',
    'mutated configs',
    '`validate` exits 0 (the mutation is valid) or 1 with one-line, positioned errors and no stack trace or raw JavaScript error, within 20 s',
  );
  const base = await readFile(EXAMPLE_CONFIG, 'utf8');
  const jobs = Array.from({ length: Math.round(2000 * scale) }, (_, i) => {
    const s = caseSeed(seed, 'configs', i);
    const [label, text] = mutateConfig(base, seeded(s));
    return {
      id: `case ${i} seed ${s} (${label})`,
      work: { files: { 'c.yaml': text }, args: ['validate', '-f', 'c.yaml'], env: ENV },
    };
  });
  await withWorkers(jobs, (job, result) => row.record(job.id, judgeRun(result)));
  return row;
}

/** The state and the world after a first apply of the example, and a plan file made against the world before it. */
async function baseFiles() {
  const c = await openCase();
  try {
    const before = c.emulator.world.toData();
    const planned = await c.runHere(['plan', ...FAST, '--out', 'plan.json']);
    if (planned.code !== 0) throw new Error(`set-up plan failed: ${planned.stderr}`);
    const planText = await readFile(join(c.dir, 'plan.json'), 'utf8');
    const applied = await c.runHere(['apply', 'plan.json', '--auto-approve', '--quiet', ...FAST]);
    if (applied.code !== 0) throw new Error(`set-up apply failed: ${applied.stderr}`);
    return {
      config: await readFile(c.configPath, 'utf8'),
      state: await readFile(c.statePath, 'utf8'),
      planText,
      worldBefore: before,
      worldAfter: c.emulator.world.toData(),
      viewAfter: worldView(c.emulator.world.toData()),
    };
  } finally {
    await c.close();
  }
}

async function runStates(seed, scale, base) {
  const row = makeRow(
    'states',
    'mutated state files',
    '`plan` exits 0 (valid mutation) or 1 with one-line error(s) naming the file, no stack trace or raw JavaScript error, within 20 s, and no write call reached the emulator',
  );
  const jobs = Array.from({ length: Math.round(400 * scale) }, (_, i) => {
    const s = caseSeed(seed, 'states', i);
    const [label, text] = mutateJson(base.state, seeded(s));
    return {
      id: `case ${i} seed ${s} (${label})`,
      work: {
        files: { 'workato-oauth.yaml': base.config, 'workato-oauth.state.json': text },
        args: ['plan', ...FAST],
        env: ENV,
        world: base.worldAfter,
      },
    };
  });
  await withWorkers(jobs, (job, result) => {
    const bad =
      judgeRun(result) ?? (result.writes > 0 ? `${result.writes} write call(s) made by plan` : undefined);
    row.record(job.id, bad);
  });
  return row;
}

async function runPlans(seed, scale, base) {
  const row = makeRow(
    'plans',
    'mutated plan files',
    '`apply PLANFILE` either exits 1 (or 3, refused) with one-line error(s), no stack trace or raw JavaScript error and no write call, or exits 0 leaving the emulator exactly as the unmutated plan leaves it; within 20 s',
  );
  const jobs = Array.from({ length: Math.round(300 * scale) }, (_, i) => {
    const s = caseSeed(seed, 'plans', i);
    const [label, text] = mutateJson(base.planText, seeded(s));
    return {
      id: `case ${i} seed ${s} (${label})`,
      work: {
        files: { 'workato-oauth.yaml': base.config, 'plan.json': text },
        args: ['apply', 'plan.json', '--auto-approve', '--quiet', ...FAST],
        env: ENV,
        world: base.worldBefore,
      },
    };
  });
  await withWorkers(jobs, (job, result) => {
    if (result.timedOut) return row.record(job.id, `no answer within ${CASE_LIMIT_MS / 1000} s`);
    if (result.code === 0) {
      return row.record(
        job.id,
        result.view === base.viewAfter
          ? undefined
          : 'exit 0, but the emulator differs from what the plan as made leaves',
      );
    }
    const bad = judgeRun(result, { rejectCodes: [1, 3] });
    if (bad) return row.record(job.id, bad);
    row.record(
      job.id,
      result.writes > 0
        ? `rejected after ${result.writes} write call(s): ${firstErrorLine(result)}`
        : undefined,
    );
  });
  return row;
}

export async function runFileRows({ seed, scale = 1 }) {
  const timed = async (name, run) => {
    const started = Date.now();
    const row = await run();
    console.log(`  (${name}: ${Math.round((Date.now() - started) / 1000)} s)`);
    return row;
  };
  const base = await baseFiles();
  const configs = await timed('configs', () => runConfigs(seed, scale));
  const states = await timed('states', () => runStates(seed, scale, base));
  const plans = await timed('plans', () => runPlans(seed, scale, base));
  return [configs, states, plans];
}
