import type { Io } from '../src/io.js';

/** An Io that records everything, for tests; `interrupt()` plays a Ctrl-C. */
export function memoryIo(
  overrides: Partial<Omit<Io, 'out' | 'err'>> = {},
): Io & { stdout: string; stderr: string; interrupt(): void } {
  const handlers = new Set<() => void>();
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
    onInterrupt(handler: () => void) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    interrupt() {
      for (const handler of handlers) handler();
    },
    ...overrides,
  };
  return io;
}
