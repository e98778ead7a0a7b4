/**
 * The CLI run in this process against an emulator in this process: the whole
 * program (commander, options, commands, exit codes) without a process per run,
 * so the many scenarios of a command cost milliseconds. What only a real process
 * shows (signals, kill -9, pipes) stays in test/e2e.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/server.js';
import type { WorldData } from '../../src/emulator/world-data.js';
import type { Io } from '../../src/io.js';
import { buildProgram } from '../../src/program.js';
import type { State } from '../../src/state/types.js';
import { type Call, type ConfigDoc, describeCall } from '../e2e/apply-helpers.js';
import { API_TOKEN, EXAMPLE, leakedSecrets, root, SECRETS } from '../e2e/world.js';
import { memoryIo } from '../memory-io.js';

export const FAST = ['--rate-limit', '100000'];

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in the order they were written. */
  output: string;
}

export interface CliOptions {
  /** Added to the environment; `undefined` unsets a variable. */
  env?: Record<string, string | undefined>;
  /** The working directory the CLI sees. */
  cwd?: string;
}

/**
 * Runs the whole CLI in this process with exactly `env` as its environment and
 * `cwd` as its folder, no emulator involved (validate needs none).
 */
export async function runCli(
  args: string[],
  options: { env: Record<string, string | undefined>; cwd: string },
): Promise<CliRun> {
  let code = 0;
  let made: (Io & { stdout: string; stderr: string }) | undefined;
  let output = '';
  const program = buildProgram(
    (exitCode) => {
      code = exitCode;
    },
    (flags) => {
      const io = memoryIo({
        env: options.env,
        cwd: options.cwd,
        quiet: flags.quiet === true,
        debug: flags.debug === true,
      });
      const { out, err } = io;
      io.out = (text) => {
        out(text);
        output += text;
      };
      io.err = (text) => {
        err(text);
        output += text;
      };
      made = io;
      return io;
    },
  );
  const errors: string[] = [];
  const commanderOutput = (text: string) => {
    errors.push(text);
    output += text;
  };
  // Subcommands copied the output settings when they were made: configure each of them.
  const configure = (command: typeof program): void => {
    command.configureOutput({ writeErr: commanderOutput, writeOut: commanderOutput });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  try {
    await program.parseAsync(['node', 'workato-oauth', ...args]);
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode;
    code = typeof exitCode === 'number' && exitCode !== 0 ? 1 : 0;
  }
  return { code, stdout: made?.stdout ?? '', stderr: (made?.stderr ?? '') + errors.join(''), output };
}

export interface Bench {
  emulator: RunningEmulator;
  dir: string;
  configPath: string;
  statePath: string;
  env: Record<string, string>;
  /** Everything printed so far, for the leak check. */
  printed: string[];
  cli(args: string[], options?: CliOptions): Promise<CliRun>;
  readConfig(): Promise<ConfigDoc>;
  writeConfig(doc: ConfigDoc): Promise<void>;
  editConfig(edit: (doc: ConfigDoc) => void): Promise<void>;
  readState(): Promise<State>;
  writeState(state: State): Promise<void>;
  /** The calls the emulator saw from log index `from` on. */
  calls(from?: number): Call[];
  /** Calls that change something, from log index `from` on. */
  writes(from?: number): Call[];
  /** Live profile of that name (the first, by id). */
  profile(name: string): { id: number; name: string; provider: string };
  /** Names of the profiles a customer holds in the emulator. */
  holdings(ref: { id: number } | { externalId: string }): string[];
  /** No secret in anything printed, nor in the state file or the given files (relative to `dir`) that exist. */
  expectNoLeaks(files?: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startBench(
  options: {
    world?: WorldData;
    config?: ConfigDoc;
    /** More emulator options (faults, a rate limit of its own). */
    emulator?: Omit<EmulatorOptions, 'token' | 'world' | 'dataFile'>;
  } = {},
): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), 'wo-cmd-'));
  const configPath = join(dir, 'workato-oauth.yaml');
  if (options.config) await writeFile(configPath, stringify(options.config));
  else await copyFile(EXAMPLE, configPath);
  const world =
    options.world ?? JSON.parse(await readFile(join(root, 'examples/emulator-world.json'), 'utf8'));
  const emulator = await startEmulator({
    token: API_TOKEN,
    world,
    ratePerMinute: 100_000,
    ...options.emulator,
  });
  const env: Record<string, string> = {
    NO_COLOR: '1',
    WORKATO_API_URL: emulator.url,
    WORKATO_API_TOKEN: API_TOKEN,
    ...SECRETS,
  };
  const printed: string[] = [];
  const statePath = join(dir, 'workato-oauth.state.json');
  const data = () => emulator.world.toData();

  const bench: Bench = {
    emulator,
    dir,
    configPath,
    statePath,
    env,
    printed,
    async cli(args, opts = {}) {
      const result = await runCli(args, { env: { ...env, ...opts.env }, cwd: opts.cwd ?? dir });
      printed.push(result.stdout, result.stderr);
      return result;
    },
    readConfig: async () => parse(await readFile(configPath, 'utf8')) as ConfigDoc,
    writeConfig: (doc) => writeFile(configPath, stringify(doc)),
    async editConfig(edit) {
      const doc = await bench.readConfig();
      edit(doc);
      await bench.writeConfig(doc);
    },
    readState: async () => JSON.parse(await readFile(statePath, 'utf8')) as State,
    writeState: (state) => writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`),
    calls: (from = 0) => emulator.requestLog.slice(from).map(describeCall),
    writes: (from = 0) => bench.calls(from).filter((c) => c.kind !== 'read'),
    profile(name) {
      const found = data().profiles.find((p) => p.name === name);
      if (!found) throw new Error(`no live profile named ${name}`);
      return found;
    },
    holdings(ref) {
      const world = data();
      const names = new Map(world.profiles.map((p) => [p.id, p.name]));
      const customer = world.customers.find((c) =>
        'id' in ref ? c.id === ref.id : c.external_id === ref.externalId,
      );
      if (!customer) throw new Error(`no customer ${JSON.stringify(ref)}`);
      return customer.profiles.map((id) => names.get(id) ?? `#${id}`).sort();
    },
    async expectNoLeaks(files = []) {
      const paths = [statePath, ...files.map((name) => join(dir, name))].filter((path) => existsSync(path));
      const written = await Promise.all(paths.map((path) => readFile(path, 'utf8')));
      expect(leakedSecrets(...printed, ...written)).toEqual([]);
    },
    async close() {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return bench;
}
