/**
 * The package as a user gets it: `npm pack`, installed into an empty folder from
 * the tarball, then run. Dependencies come from the npm cache (--prefer-offline),
 * so this takes seconds and no network when the cache is warm (any `npm ci` of
 * this repository warms it). `npm test` builds dist/ first; pack runs with
 * --ignore-scripts so the build is not repeated here.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './world.js';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const SLOW = 120_000;

let dir: string;
let app: string;
let files: string[];
let installLog: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-package-'));
  const packed = await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: root,
  });
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path).sort();
  app = join(dir, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
  const installed = await run(
    NPM,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info.filename)],
    { cwd: app },
  );
  installLog = installed.stdout + installed.stderr;
}, SLOW);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  return run(NPM, ['exec', '--no', '--', 'workato-oauth', ...args], {
    cwd: app,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe('the npm package', () => {
  it('ships the license, the docs the README links to, and no source map pointing at unshipped src', async () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/cli.js');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.some((f) => f.startsWith('src/'))).toBe(false);
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\(((?:docs|schemas|examples)\/[^)#]+)/g)].map((m) => m[1]);
    expect(linked.length).toBeGreaterThan(3);
    for (const path of linked) expect(files, `${path}, linked from the README`).toContain(path);
  });

  it('installs from the tarball without an install-script warning', () => {
    expect(installLog).not.toMatch(/install-scripts|prepare/);
  });

  it(
    'runs: --version, validate on a shipped example, the emulator starts and stops',
    async () => {
      const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect((await cli(['--version'])).stdout).toBe(`${version}\n`);

      const example = join(app, 'node_modules/workato-oauth/examples/workato-oauth.yaml');
      const validated = await cli(['validate', '-f', example]);
      expect(validated.stdout).toMatch(/: valid \(4 profiles, 12 customers\)\n$/);

      const bin = join(app, 'node_modules/.bin/workato-oauth');
      const emulator = spawn(bin, ['emulator', '--port', '0'], {
        cwd: app,
        env: { ...process.env, NO_COLOR: '1' },
      });
      let out = '';
      emulator.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      const exited = new Promise<number | null>((done) => emulator.on('exit', (code) => done(code)));
      // The banner is two writes: wait for the second, which ends with the token's source.
      for (let i = 0; i < 400 && !out.includes('(token: '); i++) await new Promise((r) => setTimeout(r, 25));
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      expect(out).toContain('WORKATO_API_TOKEN=emulator-token');
      const answer = await fetch(`${url}/api/custom_oauth_profiles`, {
        headers: { authorization: 'Bearer emulator-token' },
      });
      expect(answer.status).toBe(200);
      emulator.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
    SLOW,
  );
});
