import type { Io } from '../io.js';

export interface ValidateOptions {
  file: string;
  format: 'text' | 'json';
}

/** PLACEHOLDER: issue 2 implements this. */
export async function runValidate(_options: ValidateOptions, _io: Io): Promise<number> {
  throw new Error('validate: not implemented yet');
}
