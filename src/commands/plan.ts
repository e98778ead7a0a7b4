import type { Io } from '../io.js';

/** PLACEHOLDER: issue 4 implements this. */
export async function runPlan(_options: Record<string, unknown>, _io: Io): Promise<number> {
  throw new Error('plan: not implemented yet');
}
