/**
 * The program: commander wiring of every command. It never touches `process`: the
 * entry (src/cli.ts) gives it argv, the way to set the exit code and the Io, so tests
 * run the whole CLI in-process. Commands throw typed errors (src/errors.ts); this
 * turns them into one line each and an exit code.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readPackageVersion } from './api/version.js';
import { formatProblem } from './config/problems.js';
import { ConfigError, EXIT_ERROR, WorkatoOauthError } from './errors.js';
import { type Io, processIo } from './io.js';

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

/** A TCP port: 0 (any free one) to 65535. */
function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

function number(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`expected a number >= ${min}`);
    return n;
  };
}

// Each command's modules are loaded when it runs: `validate` and `--help` do not
// pay for the HTTP client, the planner or the emulator (issue 11: start-up time).
const STATE_HELP =
  "where the state is: a file path, git::REMOTE#REF or s3://BUCKET/KEY (default: the config's state: block, else a file beside the config, named after it: x.yaml -> x.state.json)";

const REFRESH_HELP =
  'with rules: list every customer, not only the pages after the last listing (sees a customer renamed since; 1 call per 100 customers)';

const commands = {
  apply: () => import('./commands/apply.js'),
  drift: () => import('./commands/drift.js'),
  import: () => import('./commands/import.js'),
  emulator: () => import('./commands/emulator.js'),
  plan: () => import('./commands/plan.js'),
  state: () => import('./commands/state.js'),
  stateMigrate: () => import('./commands/state-migrate.js'),
  validate: () => import('./commands/validate.js'),
};

function connectionOptions(command: Command): Command {
  return command
    .option('--api-url <url>', 'Workato API base URL (env WORKATO_API_URL); overrides --data-center')
    .option('--data-center <dc>', 'us|eu|jp|sg|au|il|kr|cn|trial (env WORKATO_DATA_CENTER)')
    .option('--rate-limit <n>', 'requests per minute per rate-limit bucket', integer(1))
    .option('--timeout <seconds>', 'per-request timeout in seconds', number(1))
    .option(
      '--rate-limit-wait <seconds>',
      'wait out continuous 429s this long before failing (env WORKATO_RATE_LIMIT_WAIT; default 600)',
      number(0),
    );
}

/** The global flags an Io is made from. */
export interface GlobalFlags {
  debug?: boolean;
  quiet?: boolean;
  color?: boolean;
}

/** The `kind` of the JSON error object: stable names for the error classes of src/errors.ts and beyond. */
const ERROR_KINDS: Record<string, string> = {
  ConfigError: 'config',
  UsageError: 'usage',
  RefusedError: 'refused',
  StateError: 'state',
  PlanError: 'plan',
  ApiError: 'api',
  WorldDataError: 'emulator-data',
  CommanderError: 'usage',
};

/** The lines of the error as stderr shows them, for the JSON error object. */
function errorMessages(error: unknown): string[] {
  const lines =
    error instanceof ConfigError
      ? [...error.problems.map(formatProblem), error.message]
      : [error instanceof Error ? error.message : String(error)];
  return lines
    .flatMap((line) => line.split('\n'))
    .map((line) => line.replace(/^error: /, '').trim())
    .filter((line) => line !== '');
}

/**
 * `--format json`: stdout holds exactly one JSON document whatever happens. On an
 * error it is the document the command would have printed (a refused plan), or
 * a bare one, with `error` added (docs/plan-json.md, "Errors").
 */
function errorJson(error: unknown, exitCode: number): string {
  const document = error instanceof WorkatoOauthError ? error.document : undefined;
  const name = error instanceof Error ? error.name : '';
  return `${JSON.stringify(
    {
      format_version: '1',
      ...document,
      error: { exit_code: exitCode, kind: ERROR_KINDS[name] ?? 'internal', messages: errorMessages(error) },
    },
    null,
    2,
  )}\n`;
}

function reportError(error: unknown, io: Io, json: boolean): number {
  const code = reportErrorLines(error, io);
  if (json) io.out(errorJson(error, code));
  return code;
}

function reportErrorLines(error: unknown, io: Io): number {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) io.err(`${formatProblem(problem)}\n`);
    io.err(`error: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof WorkatoOauthError) {
    io.err(`error: ${error.message}\n`);
    if (io.debug && error.cause instanceof Error && error.cause.stack) io.err(`${error.cause.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`error: ${message}\n`);
  if (io.debug && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  else io.err('(run with --debug for details)\n');
  return EXIT_ERROR;
}

/** `--format json` or `--format=json` among the arguments (commander may not have parsed them). */
function asksForJson(args: readonly string[]): boolean {
  return args.some((arg, i) => arg === '--format=json' || (arg === '--format' && args[i + 1] === 'json'));
}

export function buildProgram(
  setExitCode: (code: number) => void,
  makeIo: (flags: GlobalFlags) => Io = processIo,
): Command {
  const program = new Command('workato-oauth')
    .description('Declarative Workato custom OAuth profiles and their assignment to Embedded customers')
    .version(readPackageVersion())
    .option('--debug', 'print stack traces and request logs (never secrets)')
    .option('-q, --quiet', 'no progress output')
    .option('--no-color', 'no ANSI colour (NO_COLOR is honoured too)')
    .configureOutput({ outputError: (text, write) => write(text) })
    // A usage error is one line and a pointer to the help, not the whole help.
    .exitOverride((error) => {
      const usage = error.code !== 'commander.helpDisplayed' && error.code !== 'commander.version';
      if (
        usage &&
        error.exitCode !== 0 &&
        asksForJson((program as unknown as { rawArgs: string[] }).rawArgs)
      ) {
        makeIo(program.opts<GlobalFlags>()).out(errorJson(error, EXIT_ERROR));
      }
      throw error;
    });

  const run =
    <T extends unknown[]>(action: (io: Io, ...args: T) => Promise<number>) =>
    async (...args: T) => {
      const io = makeIo(program.opts<GlobalFlags>());
      // commander passes the command last: its --format decides the error's shape.
      const command = args[args.length - 1] as Command;
      const json = command.opts<{ format?: string }>().format === 'json';
      try {
        setExitCode(await action(io, ...args));
      } catch (error) {
        setExitCode(reportError(error, io, json));
      }
    };

  program
    .command('validate')
    .description('check the config file against the schema and the rules; no API call')
    .option('-f, --file <path>', 'config file', 'workato-oauth.yaml')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      run(async (io, opts: { file: string; format: 'text' | 'json' }) =>
        (await commands.validate()).runValidate(opts, io),
      ),
    );

  connectionOptions(
    program
      .command('plan')
      .description('show what apply would change')
      .option('-f, --file <path>', 'config file', 'workato-oauth.yaml')
      .option('--state <location>', STATE_HELP)
      .option('--out <planfile>', 'write a plan file that apply can execute later')
      .addOption(
        new Option('--format <format>', 'output format')
          .choices(['text', 'markdown', 'json'])
          .default('text'),
      )
      .option(
        '--detailed-exitcode',
        'exit 0 when no changes and no drift, 2 when changes or drift, 1 on error',
      )
      .option('--no-verify-customers', 'do not check that customers new to the state exist')
      .option('--refresh-customers', REFRESH_HELP)
      .option('--force-unassign', 'plan every unassign with force=true (apply must use it too)')
      .option('--reassert', 'plan the assign again for every assignment the config wants')
      .option('--force', 'plan even when none of the profiles the state manages exists (recreate them)'),
  ).action(run(async (io, opts) => (await commands.plan()).runPlan(opts, io)));

  connectionOptions(
    program
      .command('apply')
      .description('make the workspace match the config (or execute a plan file)')
      .argument('[planfile]', 'a plan file written by plan --out')
      .option('-f, --file <path>', 'config file', 'workato-oauth.yaml')
      .option('--state <location>', STATE_HELP)
      .option('--auto-approve', 'do not ask for confirmation')
      .option('--allow-delete', 'allow deleting profiles')
      .option('--refresh-customers', REFRESH_HELP)
      .option('--force-unassign', 'unassign with force=true for every customer')
      .option('--concurrency <n>', 'requests in flight at once', integer(1), 4)
      .option('--max-change-percent <p>', 'refuse larger removals without --force', number(0), 30)
      .option('--force', 'allow removals above --max-change-percent, and recreating every managed profile')
      .option(
        '--reassert',
        'send the assign again for every assignment the config wants (rebuilds the state)',
      )
      .option('--lock-timeout <seconds>', 'wait this long for the state lock', number(0), 0)
      .addOption(
        new Option('--format <format>', 'report format (json: one object at the end)')
          .choices(['text', 'json'])
          .default('text'),
      ),
  ).action(
    run(async (io, planfile: string | undefined, opts, command: Command) =>
      (await commands.apply()).runApply(
        { ...opts, planfile, fileGiven: command.getOptionValueSource('file') === 'cli' },
        io,
      ),
    ),
  );

  connectionOptions(
    program
      .command('drift')
      .description(
        'has Workato changed since the last apply? compares the live workspace with the state (not the config); read-only, no secrets needed',
      )
      .option(
        '-f, --file <path>',
        'config file; only names the state beside it (it is not read)',
        'workato-oauth.yaml',
      )
      .option('--state <location>', STATE_HELP)
      .addOption(
        new Option('--format <format>', 'output format')
          .choices(['text', 'markdown', 'json'])
          .default('text'),
      ),
  ).action(run(async (io, opts) => (await commands.drift()).runDrift(opts, io)));

  connectionOptions(
    program
      .command('import')
      .description(
        'take hand-made profiles under management: write a config of the live profiles and record them in the state; no API write',
      )
      .option('-f, --file <path>', 'config file to write', 'workato-oauth.yaml')
      .option('--write-config <path>', 'write the config here instead of -f (never over an existing file)')
      .option('--state <location>', STATE_HELP)
      .option('--names <regex>', 'only the live profiles whose name matches')
      .option('--lock-timeout <seconds>', 'wait this long for the state lock', number(0), 0),
  ).action(run(async (io, opts) => (await commands.import()).runImport(opts, io)));

  const state = program
    .command('state')
    .description('read the state, forget entries in it, list its history or move it; no API call');
  const stateFileOptions = (command: Command): Command =>
    command
      .option('-f, --file <path>', 'config file; the state is looked for beside it', 'workato-oauth.yaml')
      .option('--state <location>', STATE_HELP);
  stateFileOptions(
    state.command('list').description('list the addresses the state records, one per line'),
  ).action(
    run(async (io, opts: { file: string; state?: string }) =>
      (await commands.state()).runStateList(opts, io),
    ),
  );
  stateFileOptions(
    state
      .command('show')
      .description('show what the state records at one address (never a fingerprint)')
      .argument('<address>', 'profile["NAME"] or assignment["CUSTOMER"]["PROFILE"]'),
  ).action(
    run(async (io, address: string, opts: { file: string; state?: string }) =>
      (await commands.state()).runStateShow(address, opts, io),
    ),
  );
  stateFileOptions(
    state
      .command('rm')
      .description('forget profiles or assignments without any API call (a profile takes its assignments)')
      .argument('<address...>', 'profile["NAME"] or assignment["CUSTOMER"]["PROFILE"]')
      .option('--dry-run', 'show what would be removed; write nothing')
      .option('--lock-timeout <seconds>', 'wait this long for the state lock', number(0), 0),
  ).action(
    run(
      async (
        io,
        addresses: string[],
        opts: { file: string; state?: string; dryRun?: boolean; lockTimeout: number },
      ) => (await commands.state()).runStateRm(addresses, opts, io),
    ),
  );

  stateFileOptions(
    state
      .command('history')
      .description('list the versions of the state, newest first (backends that keep them: git)')
      .option('--limit <n>', 'at most this many', integer(1), 20),
  ).action(
    run(async (io, opts: { file: string; state?: string; limit: number }) =>
      (await commands.state()).runStateHistory(opts, io),
    ),
  );
  stateFileOptions(
    state
      .command('migrate')
      .description(
        'copy the state to another location (under both locks), then say what to change in the config',
      )
      .requiredOption('--to <location>', 'where to: a file path, git::REMOTE#REF or s3://BUCKET/KEY')
      .option('--force', 'replace a state of another lineage (or a newer one) at the target')
      .option('--lock-timeout <seconds>', 'wait this long for each state lock', number(0), 0),
  ).action(
    run(
      async (io, opts: { file: string; state?: string; to: string; force?: boolean; lockTimeout: number }) =>
        (await commands.stateMigrate()).runStateMigrate(opts, io),
    ),
  );

  program
    .command('emulator')
    .description('serve a local stand-in of the Workato API (no account needed)')
    .option('--port <port>', 'port (0 picks a free one)', port, 4010)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <file>', 'JSON world to load, and write every change back to')
    .option('--token <token>', 'expected bearer token (env WORKATO_EMULATOR_TOKEN)')
    .option('--rate-limit <n>', 'requests per minute per bucket before 429', integer(1), 60)
    .addOption(
      new Option('--customer-order <order>', 'order of the customer listing (unordered: a fixed shuffle)')
        .choices(['id', 'unordered'])
        .default('id'),
    )
    .action(run(async (io, opts) => (await commands.emulator()).runEmulator(opts, io)));

  for (const command of allCommands(program)) {
    const name = command === program ? 'workato-oauth' : `workato-oauth ${commandPath(command)}`;
    command.showHelpAfterError(`(see '${name} --help')`);
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
