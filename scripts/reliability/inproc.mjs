/**
 * The built CLI's program (dist/program.js) run in this process, with its own
 * Io: the same code as bin/workato-oauth.js minus a Node start-up (about a
 * second of CPU on a loaded 2-core machine). The rows use it for set-up and
 * for the checks after a case; what a row measures runs as a subprocess, or
 * in a worker with a time limit (file-worker.mjs).
 */
import { join } from 'node:path';
import { root } from './paths.mjs';

const { buildProgram } = await import(join(root, 'dist/program.js'));

/** Resolves like spawnCli's `done`: { code, stdout, stderr, ms }. */
export async function runInProcess(args, { cwd, env }) {
  const started = Date.now();
  let code = 0;
  let stdout = '';
  let stderr = '';
  const program = buildProgram(
    (exitCode) => {
      code = exitCode;
    },
    (flags) => ({
      out: (text) => {
        stdout += text;
      },
      err: (text) => {
        stderr += text;
      },
      isTTY: false,
      color: false,
      env,
      cwd,
      debug: flags.debug === true,
      quiet: flags.quiet === true,
      stdinIsTTY: false,
      prompt: async () => '',
      onInterrupt: () => () => {},
    }),
  );
  const commanderOutput = (text) => {
    stderr += text;
  };
  program.configureOutput({ writeErr: commanderOutput, writeOut: commanderOutput });
  for (const command of program.commands) {
    command.configureOutput({ writeErr: commanderOutput, writeOut: commanderOutput });
    for (const sub of command.commands)
      sub.configureOutput({ writeErr: commanderOutput, writeOut: commanderOutput });
  }
  try {
    await program.parseAsync(['node', 'workato-oauth', ...args]);
  } catch (error) {
    const exitCode = error?.exitCode;
    if (typeof exitCode === 'number') code = exitCode === 0 ? 0 : 1;
    else {
      // What would reach cli.ts's last resort: counted as a raw error by the checks.
      code = 1;
      stderr += `${error?.stack ?? String(error)}\n`;
    }
  }
  return { code, signal: null, stdout, stderr, ms: Date.now() - started, timedOut: false };
}
