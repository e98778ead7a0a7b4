/**
 * The package version, for the User-Agent. Read at run time because the build
 * (rootDir src) cannot import package.json; src/api and dist/api are both two
 * levels below it.
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function readPackageVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const version =
      typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
    cached = typeof version === 'string' ? version : '0.0.0';
  } catch {
    cached = '0.0.0';
  }
  return cached;
}

export function defaultUserAgent(): string {
  return `workato-oauth/${readPackageVersion()}`;
}
