/**
 * What every row of the reliability campaign shares: the built CLI as a
 * subprocess, the emulator from dist/ in this process, one folder per case,
 * a seeded PRNG, a pool that runs a few cases at once, and the strict checks
 * ("converged", "no duplicate", "no temp file left", "one-line error").
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from './inproc.mjs';
import { bin, root } from './paths.mjs';

export { bin, root };
export const EXAMPLE_CONFIG = join(root, 'examples/workato-oauth.yaml');
export const EXAMPLE_WORLD = join(root, 'examples/emulator-world.json');

/** The values the campaign must never find printed or written. */
export const SECRETS = {
  HUBSPOT_CLIENT_SECRET: 'hubspot-secret-rel-1111',
  SALESFORCE_CLIENT_SECRET: 'salesforce-secret-rel-2222',
  SLACK_CLIENT_SECRET: 'slack-secret-rel-3333',
  SLACK_APP_TOKEN: 'xoxb-slack-token-rel-4444',
  ZOOM_CLIENT_SECRET: 'zoom-secret-rel-5555',
};
export const API_TOKEN = 'api-token-rel-9999';
export const FAST = ['--rate-limit', '100000'];

const { startEmulator } = await import(join(root, 'dist/emulator/server.js'));
const { createRandom } = await import(join(root, 'dist/emulator/faults.js'));

export { startEmulator };

/** A seeded PRNG with the helpers the rows use. */
export function seeded(seed) {
  const next = createRandom(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

/** A case's own seed, from the campaign seed, the row and the case number. */
export function caseSeed(seed, row, index) {
  let h = seed >>> 0;
  for (const ch of `${row}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export const exampleWorld = async () => JSON.parse(await readFile(EXAMPLE_WORLD, 'utf8'));

/**
 * Starts the built CLI. `done` resolves with its exit, output and wall time; past
 * `timeoutMs` the process is killed and `timedOut` set.
 */
export function spawnCli(args, { cwd, env, timeoutMs = 20_000 }) {
  const childEnv = Object.fromEntries(
    Object.entries({ PATH: process.env.PATH ?? '', ...env }).filter(([, v]) => v !== undefined),
  );
  const started = Date.now();
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: childEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
  return { child, done };
}

/**
 * One case's world: a folder with the example config, an emulator in this
 * process on a fresh copy of the example world, and the CLI pointed at it.
 */
export async function openCase(options = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'wo-rel-'));
  const configPath = join(dir, 'workato-oauth.yaml');
  if (options.config) await writeFile(configPath, options.config);
  else await copyFile(EXAMPLE_CONFIG, configPath);
  const emulator = await startEmulator({
    token: API_TOKEN,
    world: options.world ?? (await exampleWorld()),
    ratePerMinute: 100_000,
    ...options.emulator,
  });
  const apiUrl = options.apiUrl ?? emulator.url;
  const env = { NO_COLOR: '1', WORKATO_API_URL: apiUrl, WORKATO_API_TOKEN: API_TOKEN, ...SECRETS };
  const c = {
    dir,
    emulator,
    configPath,
    statePath: join(dir, 'workato-oauth.state.json'),
    env,
    start: (args, opts = {}) =>
      spawnCli(args, { cwd: opts.cwd ?? dir, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs }),
    run: (args, opts) => c.start(args, opts).done,
    /** The same CLI in this process: for set-up and checks, not for what a row measures. */
    runHere: (args, opts = {}) => runInProcess(args, { cwd: opts.cwd ?? dir, env: { ...env, ...opts.env } }),
    close: async () => {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return c;
}

/** `--deadline`: no case starts after it; `skipped` counts those left out. */
export const campaign = { deadline: Number.POSITIVE_INFINITY, skipped: 0 };

/** Runs `fn` over `items`, `n` at a time; results in input order. */
export async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      if (Date.now() > campaign.deadline) {
        campaign.skipped += items.length - next;
        next = items.length;
        break;
      }
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Text that only code puts in a message: a stack frame or a raw JavaScript error. */
const RAW_JS = [
  /is not a function/,
  /Cannot read propert/,
  /Cannot convert/,
  /is not iterable/,
  /Maximum call stack/,
  /Invalid scrypt/,
  /Invalid array length/,
  /Invalid string length/,
  /at file:\/\//,
  /\n\s+at \S.*:\d+:\d+\)?/,
  /\b(TypeError|RangeError|ReferenceError|SyntaxError): /,
  /\bE[A-Z]{3,}: [a-z]/,
  /\(run with --debug for details\)/,
];

/** Why this output is not the tool's own one-line error(s), or undefined when it is. */
export function rawErrorIn(text) {
  const found = RAW_JS.find((pattern) => pattern.test(text));
  return found === undefined ? undefined : `raw error text /${found.source}/`;
}

/** The first line of stderr that says what went wrong, for a failure row. */
export function firstErrorLine(result) {
  if (result.timedOut) return `no exit within ${Math.round(result.ms / 1000)} s`;
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').filter((l) => l.trim() !== '');
  const line = lines.find((l) => /error|refus|compromised|warning/i.test(l)) ?? lines[0] ?? '(no output)';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * A failed CLI run held when it exited 1 (or `codes`) with its own error lines:
 * at least one "error:" or positioned problem line, no stack trace, no raw
 * JavaScript error text.
 */
export function checkCleanFailure(result, codes = [1]) {
  if (result.timedOut) return `no exit within ${Math.round(result.ms / 1000)} s`;
  if (!codes.includes(result.code)) return `exit ${result.code} (signal ${result.signal ?? 'none'})`;
  const raw = rawErrorIn(result.stderr) ?? rawErrorIn(result.stdout);
  if (raw) return raw;
  // `error: …` from most commands; `file:line:col  path  message` lines and a count from validate.
  if (!/^(error: |\S+:\d+:\d+ |\S+: \d+ errors?$)/m.test(`${result.stderr}\n${result.stdout}`)) {
    return 'no error line in the output';
  }
  return undefined;
}

/** Profile names the emulator holds more than once. */
export function duplicateProfiles(emulator) {
  const seen = new Map();
  for (const p of emulator.world.toData().profiles) seen.set(p.name, (seen.get(p.name) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([name, n]) => `${name} x${n}`);
}

/** The tool's temp files left in `dir` (its atomic writes: `.<name>.<pid>.<hex>.tmp`). */
export async function leftoverTempFiles(dir) {
  const names = await readdir(dir).catch(() => []);
  return names.filter((name) => /\.tmp$/.test(name));
}

/**
 * The world and the state agree with the config: `plan --detailed-exitcode`
 * exits 0 (no changes, no drift). Returns undefined, or why not.
 */
export async function checkConverged(c, extra = []) {
  const plan = await c.runHere(['plan', '--detailed-exitcode', ...FAST, ...extra]);
  if (plan.code === 0) return undefined;
  if (plan.code === 2) {
    const changes = plan.stdout.split('\n').find((l) => /Plan:|change/i.test(l)) ?? 'changes';
    return `plan after the re-run still shows changes: ${changes.trim()}`;
  }
  return `plan after the re-run failed: ${firstErrorLine(plan)}`;
}

/** The strict end check shared by rows that apply: converged, no duplicate, no temp file. */
export async function checkEnd(c, extra = []) {
  const dups = duplicateProfiles(c.emulator);
  if (dups.length > 0) return `duplicate profiles: ${dups.join(', ')}`;
  const tmp = await leftoverTempFiles(c.dir);
  if (tmp.length > 0) return `temp file left: ${tmp.join(', ')}`;
  return checkConverged(c, extra);
}

/** Every secret and the token, as they would leak. */
export const SECRET_VALUES = [...Object.values(SECRETS), API_TOKEN];

export function leaked(texts) {
  return SECRET_VALUES.filter((s) => texts.some((t) => t.includes(s)));
}

/** Reads every file of the tool in `dir` (state, plan files, journals), for a leak scan. */
export async function readToolFiles(dir) {
  const names = await readdir(dir).catch(() => []);
  const texts = [];
  for (const name of names) {
    if (name.endsWith('.yaml')) continue;
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    texts.push(await readFile(path, 'utf8').catch(() => ''));
  }
  return texts;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A row of the table: `failures` holds the first few failing cases. */
export function makeRow(key, test, means) {
  const row = { key, test, means, tried: 0, held: 0, failures: [], notes: [] };
  row.record = (id, why) => {
    row.tried += 1;
    if (why === undefined) row.held += 1;
    else row.failures.push({ id, why });
  };
  return row;
}

/** Writes are the calls that change something. */
export function isWrite(entry) {
  return entry.method !== 'GET';
}

/** What a user would see in Workato: profiles by name, customers' holdings by profile name. */
export function worldView(data) {
  const names = new Map(data.profiles.map((p) => [p.id, p.name]));
  return JSON.stringify({
    profiles: data.profiles.map((p) => `${p.name}|${p.provider}|${JSON.stringify(p.data ?? {})}`).sort(),
    customers: data.customers.map(
      (c) =>
        `${c.id}:${c.profiles
          .map((id) => names.get(id) ?? id)
          .sort()
          .join(',')}`,
    ),
  });
}
