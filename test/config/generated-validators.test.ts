/**
 * The validators the CLI runs are compiled from schemas/ ahead of time
 * (scripts/compile-schemas.mjs). A schema edited without `npm run schemas` would
 * leave the CLI checking against the old one: this regenerates each and compares.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, without types.
import { generateValidator, VALIDATORS } from '../../scripts/compile-schemas.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('generated schema validators', () => {
  for (const validator of VALIDATORS as { schema: string; out: string }[]) {
    it(`${validator.out} matches ${validator.schema} (run npm run schemas if not)`, () => {
      const committed = readFileSync(`${root}/${validator.out}`, 'utf8');
      expect(committed === generateValidator(validator)).toBe(true);
    });
  }
});
