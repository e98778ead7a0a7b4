/**
 * The command-line entry: the only module that reads argv or sets the exit code.
 */
import { EXIT_ERROR } from './errors.js';
import { buildProgram } from './program.js';

/** `workato-oauth plan | head`: a reader that goes away is not an error worth a stack trace. */
function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

async function main(): Promise<void> {
  ignoreClosedPipe(process.stdout);
  ignoreClosedPipe(process.stderr);
  const program = buildProgram((code) => {
    process.exitCode = code;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    // commander's exitOverride: usage errors, --help and --version land here.
    const code = (error as { exitCode?: number }).exitCode;
    process.exitCode = typeof code === 'number' && code !== 0 ? EXIT_ERROR : 0;
  }
}

await main();
