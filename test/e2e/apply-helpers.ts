/**
 * Helpers for the apply tests, on top of world.ts: edit the config as data, run
 * the built CLI with stdout and stderr in one ordered stream, read the emulator's
 * request log as API calls, and check that nothing leaked. The request-log readers
 * and the config types serve the in-process tests too (test/commands/harness.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { type RequestLogEntry, type RunningEmulator, startEmulator } from '../../src/emulator/server.js';
import type { WorldData } from '../../src/emulator/world-data.js';
import type { State } from '../../src/state/types.js';
import { API_TOKEN, bin, type CliResult, leakedSecrets, startWorld, type World } from './world.js';

/** Every apply in these tests: no pacing waits (pacing is not under test here). */
export const FAST = ['--rate-limit', '100000'];

export interface ConfigProfile {
  provider: string;
  client_id: string;
  client_secret: string;
  token?: string;
  prevent_destroy?: boolean;
}

export interface ConfigCustomer {
  external_id?: string;
  id?: number;
  profiles: string[];
  force_unassign?: boolean;
}

export interface ConfigDoc {
  version: 1;
  workspace?: { data_center: string };
  profiles: Record<string, ConfigProfile>;
  customers: ConfigCustomer[];
}

export interface CombinedResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved in the order they were written. */
  output: string;
}

export interface ApplyWorld extends World {
  /** Everything the CLI printed in this world so far, for the leak check. */
  readonly printed: string[];
  /** Runs the built CLI with stdout and stderr written to one file, so their order shows. */
  runCombined(
    args: string[],
    options?: { env?: Record<string, string | undefined> },
  ): Promise<CombinedResult>;
  readConfig(): Promise<ConfigDoc>;
  writeConfig(doc: ConfigDoc): Promise<void>;
  /** No secret or token in anything printed, nor in the state and plan files of the world. */
  expectNoLeaks(): Promise<void>;
}

/**
 * The demo world with the example config (world.ts), and a record of all output.
 * `data` replaces the demo world with another (a larger one); `config` replaces the example config.
 */
export async function startApplyWorld(
  options: { data?: WorldData; config?: ConfigDoc } = {},
): Promise<ApplyWorld> {
  const base = await startWorld();
  let emulator: RunningEmulator = base.emulator;
  if (options.data) {
    await base.emulator.close();
    emulator = await startEmulator({ token: API_TOKEN, world: options.data, ratePerMinute: 100_000 });
  }
  const env = { ...base.env, WORKATO_API_URL: emulator.url };
  const printed: string[] = [];
  const configPath = join(base.dir, 'workato-oauth.yaml');
  const start: World['start'] = (args, opts = {}) => {
    const started = base.start(args, { env: { WORKATO_API_URL: emulator.url, ...opts.env } });
    return {
      child: started.child,
      done: started.done.then((result: CliResult) => {
        printed.push(result.stdout, result.stderr);
        return result;
      }),
    };
  };
  if (options.config) await writeFile(configPath, stringify(options.config));
  const world: ApplyWorld = {
    ...base,
    emulator,
    env,
    printed,
    start,
    run: (args, opts) => start(args, opts ?? {}).done,
    async runCombined(args, opts = {}) {
      const outPath = join(base.dir, `output-${printed.length}.log`);
      const file = await open(outPath, 'w');
      const childEnv = Object.fromEntries(
        Object.entries({ ...env, ...opts.env }).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      );
      try {
        const child = spawn(process.execPath, [bin, ...args], {
          cwd: base.dir,
          env: childEnv,
          stdio: ['ignore', file.fd, file.fd],
        });
        const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
          (resolve, reject) => {
            child.on('error', reject);
            child.on('close', (c, s) => resolve([c, s]));
          },
        );
        const output = await readFile(outPath, 'utf8');
        printed.push(output);
        return { code, signal, output };
      } finally {
        await file.close();
        await rm(outPath, { force: true });
      }
    },
    readConfig: async () => parse(await readFile(configPath, 'utf8')) as ConfigDoc,
    writeConfig: (doc) => writeFile(configPath, stringify(doc)),
    async expectNoLeaks() {
      const files = ['workato-oauth.state.json', 'p.json'].map((name) => join(base.dir, name));
      const written = await Promise.all(files.filter(existsSync).map((path) => readFile(path, 'utf8')));
      expect(printed.length).toBeGreaterThan(0);
      expect(leakedSecrets(...printed, ...written)).toEqual([]);
    },
    close: async () => {
      if (emulator !== base.emulator) await emulator.close();
      await base.close();
    },
  };
  return world;
}

/** One API call from the request log, as the reconciler sees it. */
export interface Call {
  kind: 'read' | 'create' | 'update' | 'delete' | 'assign' | 'unassign';
  /** The profile id in the path (update, delete, assign, unassign). */
  profileId?: number;
  /** The `:managed_user_id` segment, decoded (`EA2300`, `4567`). */
  customer?: string;
  /** unassign: the force query parameter. */
  force?: boolean;
  status: number;
}

export function describeCall(entry: RequestLogEntry): Call {
  const [path = '', query = ''] = entry.path.split('?');
  const status = entry.status;
  const assignment = /^\/api\/managed_users\/([^/]+)\/custom_oauth_profiles\/(\d+)\/(assign|unassign)$/.exec(
    path,
  );
  if (assignment) {
    const [, segment = '', id = '', action] = assignment;
    return {
      kind: action === 'assign' ? 'assign' : 'unassign',
      customer: decodeURIComponent(segment),
      profileId: Number(id),
      ...(action === 'unassign' ? { force: new URLSearchParams(query).get('force') === 'true' } : {}),
      status,
    };
  }
  const profile = /^\/api\/custom_oauth_profiles(?:\/(\d+))?$/.exec(path);
  if (profile && entry.method !== 'GET') {
    const id = profile[1] === undefined ? {} : { profileId: Number(profile[1]) };
    if (entry.method === 'POST') return { kind: 'create', status };
    if (entry.method === 'PUT') return { kind: 'update', ...id, status };
    if (entry.method === 'DELETE') return { kind: 'delete', ...id, status };
  }
  return { kind: 'read', status };
}

/** The calls the emulator saw from log index `from` on. */
export function callsSince(emulator: RunningEmulator, from = 0): Call[] {
  return emulator.requestLog.slice(from).map(describeCall);
}

/** Requests that change something (POST, PUT, DELETE), from log index `from` on. */
export function mutationsSince(emulator: RunningEmulator, from = 0): RequestLogEntry[] {
  return emulator.requestLog.slice(from).filter((e) => e.method !== 'GET');
}

/** Live profile ids by name; fails on a duplicate name (the tool must never make one). */
export function profileIds(emulator: RunningEmulator): Record<string, number> {
  const ids: Record<string, number> = {};
  for (const p of emulator.world.toData().profiles) {
    expect(ids, `two live profiles named ${p.name}`).not.toHaveProperty([p.name]);
    ids[p.name] = p.id;
  }
  return ids;
}

type Holdings = Record<string, string[]>;

/** Finds a customer of the emulator's world by numeric id or external id. */
function customerId(emulator: RunningEmulator, ref: { id?: number; external_id?: string }): number {
  const found = emulator.world
    .toData()
    .customers.find((c) => (ref.id === undefined ? c.external_id === ref.external_id : c.id === ref.id));
  if (!found) throw new Error(`no customer ${JSON.stringify(ref)} in the emulator`);
  return found.id;
}

function sortedHoldings(entries: [number, string[]][]): Holdings {
  const out: Holdings = {};
  for (const [id, profiles] of entries.sort(([a], [b]) => a - b)) {
    if (profiles.length > 0) out[String(id)] = [...profiles].sort();
  }
  return out;
}

/** Who holds which of `managed` in the emulator: numeric customer id -> sorted profile names. */
export function liveHoldings(emulator: RunningEmulator, managed: readonly string[]): Holdings {
  const data = emulator.world.toData();
  const names = new Map(data.profiles.map((p) => [p.id, p.name]));
  return sortedHoldings(
    data.customers.map((c) => [
      c.id,
      c.profiles.map((id) => names.get(id) ?? `#${id}`).filter((name) => managed.includes(name)),
    ]),
  );
}

/** What a config asks for, in the form of liveHoldings. */
export function wantedHoldings(doc: ConfigDoc, emulator: RunningEmulator): Holdings {
  return sortedHoldings(doc.customers.map((c) => [customerId(emulator, c), c.profiles]));
}

/** What a state file records, in the form of liveHoldings. */
export function recordedHoldings(state: State, emulator: RunningEmulator): Holdings {
  return sortedHoldings(
    Object.entries(state.customers).map(([key, c]) => {
      const ref =
        c.id !== undefined
          ? { id: c.id }
          : key.startsWith('E:')
            ? { external_id: key.slice(2) }
            : { id: Number(key) };
      return [customerId(emulator, ref), c.profiles];
    }),
  );
}

/** Polls until `condition` holds; fails after `timeoutMs` (generous: the machine may be loaded). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
