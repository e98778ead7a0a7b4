/**
 * The yaml package, loaded on first use: a plain config (plain-yaml.ts) is read
 * without it, and loading its 60-odd modules is a good part of a cold start.
 * require() because readDocument is synchronous; yaml ships CommonJS for Node.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let loaded: Yaml | undefined;

export function yamlLib(): Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as Yaml;
  return loaded;
}
