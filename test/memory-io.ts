import type { Io } from '../src/io.js';

/** An Io that records everything, for tests. */
export function memoryIo(
  overrides: Partial<Omit<Io, 'out' | 'err'>> = {},
): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    isTTY: false,
    color: false,
    env: {},
    cwd: process.cwd(),
    debug: false,
    quiet: true,
    stdinIsTTY: false,
    prompt: async () => '',
    ...overrides,
  };
  return io;
}
