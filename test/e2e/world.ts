/**
 * End-to-end harness: the built CLI as a subprocess against the emulator
 * started in this process, on a fresh copy of the demo world.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/server.js';
import type { State } from '../../src/state/types.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(root, 'bin/workato-oauth.js');
export const EXAMPLE = join(root, 'examples/workato-oauth.yaml');

export const SECRETS = {
  HUBSPOT_CLIENT_SECRET: 'hubspot-secret-e2e-1111',
  SALESFORCE_CLIENT_SECRET: 'salesforce-secret-e2e-2222',
  SLACK_CLIENT_SECRET: 'slack-secret-e2e-3333',
  SLACK_APP_TOKEN: 'xoxb-slack-token-e2e-4444',
  ZOOM_CLIENT_SECRET: 'zoom-secret-e2e-5555',
};
export const API_TOKEN = 'api-token-e2e-9999';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface World {
  emulator: RunningEmulator;
  dir: string;
  statePath: string;
  env: Record<string, string>;
  /** Runs the built CLI; resolves when it exits. */
  run(
    args: string[],
    options?: { env?: Record<string, string | undefined>; cwd?: string },
  ): Promise<CliResult>;
  /** Starts the built CLI and returns the child, for kill and signal tests. */
  start(
    args: string[],
    options?: { env?: Record<string, string | undefined> },
  ): { child: ChildProcess; done: Promise<CliResult> };
  readState(): Promise<State>;
  close(): Promise<void>;
}

export async function startWorld(
  options: Omit<EmulatorOptions, 'token' | 'world' | 'dataFile'> = {},
): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'wo-e2e-'));
  const config = join(dir, 'workato-oauth.yaml');
  await copyFile(EXAMPLE, config);
  const world = JSON.parse(await readFile(join(root, 'examples/emulator-world.json'), 'utf8'));
  const emulator = await startEmulator({ token: API_TOKEN, world, ratePerMinute: 100_000, ...options });
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    NO_COLOR: '1',
    WORKATO_API_URL: emulator.url,
    WORKATO_API_TOKEN: API_TOKEN,
    ...SECRETS,
  };
  const start = (args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}) =>
    spawnCli(args, { cwd: opts.cwd ?? dir, env: { ...env, ...opts.env } });
  return {
    emulator,
    dir,
    statePath: join(dir, 'workato-oauth.state.json'),
    env,
    run: (args, opts) => start(args, opts).done,
    start,
    readState: async () => JSON.parse(await readFile(join(dir, 'workato-oauth.state.json'), 'utf8')) as State,
    close: async () => {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the built CLI in `cwd` with exactly `env` (plus PATH); an `undefined` value
 * leaves a variable out. Resolves `done` when the process has exited and its output is in.
 */
export function spawnCli(
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): { child: ChildProcess; done: Promise<CliResult> } {
  if (!existsSync(join(root, 'dist/cli.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  const childEnv = Object.fromEntries(
    Object.entries({ PATH: process.env['PATH'] ?? '', ...options.env }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: childEnv });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Every secret and the API token: none may ever be printed or written by the tool. */
export function leakedSecrets(...texts: string[]): string[] {
  const all = [...Object.values(SECRETS), API_TOKEN];
  return all.filter((secret) => texts.some((text) => text.includes(secret)));
}

/** The API requests the emulator saw, as `METHOD path` without the query. */
export function calls(emulator: RunningEmulator): string[] {
  return emulator.requestLog.map((e) => `${e.method} ${e.path.split('?')[0]}`);
}
