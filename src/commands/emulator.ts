import { resolve } from 'node:path';
import { DEFAULT_EMULATOR_TOKEN, startEmulator } from '../emulator/server.js';
import type { Io } from '../io.js';

export interface EmulatorCommandOptions {
  port: number;
  host: string;
  data?: string;
  token?: string;
  rateLimit: number;
  customerOrder?: 'id' | 'unordered';
}

/**
 * Where the token came from, for the banner. A token the user chose is never
 * printed; the default one is public (a local test token, docs/emulator.md), so
 * the banner gives it, ready to paste.
 */
function chooseToken(options: EmulatorCommandOptions, io: Io): { token: string; source: string } {
  if (options.token !== undefined && options.token !== '')
    return { token: options.token, source: 'from --token' };
  const fromEnv = io.env['WORKATO_EMULATOR_TOKEN'];
  if (fromEnv !== undefined && fromEnv !== '')
    return { token: fromEnv, source: 'from WORKATO_EMULATOR_TOKEN' };
  return { token: DEFAULT_EMULATOR_TOKEN, source: 'the default' };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * `workato-oauth emulator`: serves the local Workato stand-in until SIGINT or
 * SIGTERM (or `stop`, for tests), then closes cleanly and returns 0.
 */
export async function runEmulator(
  options: EmulatorCommandOptions,
  io: Io,
  stop?: AbortSignal,
): Promise<number> {
  const { token, source } = chooseToken(options, io);
  const dataFile = options.data === undefined ? undefined : resolve(io.cwd, options.data);
  const emulator = await startEmulator({
    port: options.port,
    host: options.host,
    token,
    ratePerMinute: options.rateLimit,
    ...(options.customerOrder === undefined ? {} : { customerOrder: options.customerOrder }),
    ...(dataFile === undefined ? {} : { dataFile }),
    ...(io.debug
      ? { onRequest: (e) => io.err(`${e.method} ${e.path} -> ${e.status === 0 ? 'reset' : e.status}\n`) }
      : {}),
  });

  // One line that scripts can parse for the URL; the hints follow it.
  io.out(
    `Workato emulator listening on ${emulator.url} ` +
      `(data: ${options.data ?? 'in memory'}; rate limit ${options.rateLimit}/min per bucket)\n`,
  );
  const shown = token === DEFAULT_EMULATOR_TOKEN ? token : "<the emulator's token>";
  io.out(
    `Point the tool at it: WORKATO_API_URL=${emulator.url} WORKATO_API_TOKEN=${shown} ` +
      `(token: ${source})\n`,
  );
  if (!isLoopback(options.host)) {
    io.err(
      `warning: listening on ${options.host}: anyone who can reach it can read and change the emulated world\n`,
    );
  }
  if (!io.quiet) io.err('Press Ctrl-C to stop.\n');

  await new Promise<void>((done) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      stop?.removeEventListener('abort', finish);
      done();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    if (stop?.aborted) finish();
    else stop?.addEventListener('abort', finish, { once: true });
  });

  await emulator.close();
  if (!io.quiet) io.err('Workato emulator stopped\n');
  return 0;
}
