import type { Io } from '../io.js';

/** PLACEHOLDER: issue 5 implements this. */
export async function runApply(_options: Record<string, unknown>, _io: Io): Promise<number> {
  throw new Error('apply: not implemented yet');
}
