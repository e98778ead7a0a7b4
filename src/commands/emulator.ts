import type { Io } from '../io.js';

export interface EmulatorCommandOptions {
  port: number;
  host: string;
  data?: string;
  token?: string;
  rateLimit: number;
}

/** PLACEHOLDER: issue 3 implements this. Runs until SIGINT/SIGTERM. */
export async function runEmulator(_options: EmulatorCommandOptions, _io: Io): Promise<number> {
  throw new Error('emulator: not implemented yet');
}
