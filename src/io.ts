/**
 * What a command may touch of the process: its streams, environment and folder.
 * Commands take an Io instead of reaching for `process`, so tests can run them
 * in-process and read what they printed.
 */
export interface Io {
  /** Writes to standard output as is (add your own newline). */
  out(text: string): void;
  /** Writes to standard error as is (add your own newline). */
  err(text: string): void;
  /** True when standard output is a terminal. */
  readonly isTTY: boolean;
  /** ANSI colour allowed: a TTY and no NO_COLOR (https://no-color.org). */
  readonly color: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Set by --debug: unknown errors print their stack. */
  readonly debug: boolean;
  /** Set by --quiet: no progress output. */
  readonly quiet: boolean;
  /** True when standard input is a terminal a person can answer on. */
  readonly stdinIsTTY: boolean;
  /** Asks on stderr, reads one line of standard input. */
  prompt(question: string): Promise<string>;
  /** Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

async function promptOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export function processIo(options: { debug?: boolean; quiet?: boolean; color?: boolean } = {}): Io {
  const isTTY = process.stdout.isTTY === true;
  const noColor = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY,
    color: options.color !== false && isTTY && !noColor,
    env: process.env,
    cwd: process.cwd(),
    debug: options.debug === true,
    quiet: options.quiet === true,
    stdinIsTTY: process.stdin.isTTY === true,
    prompt: promptOnTerminal,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}
