/**
 * Colour is decided by the process: ANSI only when its stdout is a terminal, and
 * not with NO_COLOR or --no-color. So the built CLI runs here with stdout a pipe,
 * then on a pseudo-terminal (`script`). The apply before is in-process: only the
 * run whose output is checked needs a process of its own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bench, startBench } from '../commands/harness.js';
import { bin, spawnCli } from './world.js';

const PROFILES = ['Acme HubSpot OAuth app', 'Acme Salesforce app', 'Acme Slack app', 'Acme Zoom app'];
/** Every ANSI colour sequence starts with it. */
const ANSI = '\u001b[';

let bench: Bench;
afterEach(async () => {
  await bench.expectNoLeaks();
  await bench.close();
});

async function applyExample(w: Bench): Promise<void> {
  const result = await w.cli(['apply', '--auto-approve']);
  expect(result, result.stderr).toMatchObject({ code: 0 });
  const state = await w.readState();
  expect(Object.keys(state.profiles).sort()).toEqual(PROFILES);
}

/** Rewrites the config; every replacement must hit, or the test would plan something else. */
async function editConfig(w: Bench, from: string, to: string): Promise<void> {
  const text = await readFile(w.configPath, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`config edit found nothing to replace: ${from}`);
  await writeFile(w.configPath, next);
}

describe('colour (built CLI)', () => {
  it('none when stdout is not a terminal, with or without NO_COLOR', async () => {
    bench = await startBench();
    await applyExample(bench);
    await editConfig(bench, 'client_id: acme-zoom-client', 'client_id: acme-zoom-client-v2');
    for (const NO_COLOR of ['1', undefined]) {
      const result = await spawnCli(['plan'], {
        cwd: bench.dir,
        env: { ...bench.env, NO_COLOR, ZOOM_CLIENT_SECRET: 'zoom-rotated-7777' },
      }).done;
      bench.printed.push(result.stdout, result.stderr);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('~ client_id');
      expect(result.stdout).not.toContain(ANSI);
      expect(result.stderr).not.toContain(ANSI);
    }
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('on a terminal: colour, unless NO_COLOR or --no-color', async () => {
    bench = await startBench();
    const onTerminal = (args: string[], env: Record<string, string | undefined>) =>
      runOnTerminal(bench, args, env);
    const coloured = await onTerminal(['plan'], { NO_COLOR: undefined });
    expect(coloured.code, coloured.output).toBe(0);
    expect(coloured.output).toContain(ANSI);
    expect(coloured.output).toContain('profile["Acme Zoom app"]');

    for (const [args, env] of [
      [['plan'], { NO_COLOR: '1' }],
      [['--no-color', 'plan'], { NO_COLOR: undefined }],
    ] as const) {
      const plain = await onTerminal([...args], env);
      expect(plain.code, plain.output).toBe(0);
      expect(plain.output).toContain('profile["Acme Zoom app"]');
      expect(plain.output).not.toContain(ANSI);
    }
  });
});

/** Runs the CLI under `script`, so its stdout is a pseudo-terminal; output is stdout and stderr together. */
function runOnTerminal(
  w: Bench,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, bin, ...args].map(shellQuote).join(' ');
  const childEnv = Object.fromEntries(
    Object.entries({
      PATH: process.env['PATH'] ?? '',
      ...w.env,
      SHELL: '/bin/sh',
      TERM: 'xterm',
      ...env,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: w.dir, env: childEnv });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      w.printed.push(output);
      resolve({ code, output });
    });
  });
}
