#!/usr/bin/env node
// `npm run demo`: the main job, end to end, against the built-in Workato emulator.
// No account, no token, no set-up: validate the example, plan, apply, plan again.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../dist/emulator/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'workato-oauth.js');
const config = relative(process.cwd(), join(root, 'examples', 'workato-oauth.yaml')) || 'workato-oauth.yaml';

const work = await mkdtemp(join(tmpdir(), 'workato-oauth-demo-'));
const world = join(work, 'emulator-world.json');
await copyFile(join(root, 'examples', 'emulator-world.json'), world);
const state = join(work, 'workato-oauth.state.json');

const emulator = await startEmulator({ dataFile: world });
const env = {
  ...process.env,
  WORKATO_API_URL: emulator.url,
  WORKATO_API_TOKEN: 'emulator-token',
  // Stand-ins for the secrets a pipeline would take from its secret store.
  HUBSPOT_CLIENT_SECRET: 'demo-hubspot-secret',
  SALESFORCE_CLIENT_SECRET: 'demo-salesforce-secret',
  SLACK_CLIENT_SECRET: 'demo-slack-secret',
  SLACK_APP_TOKEN: 'demo-slack-token',
  ZOOM_CLIENT_SECRET: 'demo-zoom-secret',
};

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (text) => (colour ? `\x1b[1m${text}\x1b[0m` : text);

function run(args) {
  process.stdout.write(`\n${bold(`$ workato-oauth ${args.join(' ')}`)}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

let failed = false;
try {
  console.log(`Workato emulator on ${emulator.url}, state in ${state}`);
  const steps = [
    [['validate', '-f', config], 0],
    [['plan', '-f', config, '--state', state], 0],
    [['apply', '-f', config, '--state', state, '--auto-approve'], 0],
    [['plan', '-f', config, '--state', state, '--detailed-exitcode'], 0],
  ];
  for (const [args, expected] of steps) {
    const code = await run(args);
    if (code !== expected) {
      console.error(`\ndemo: \`workato-oauth ${args[0]}\` exited ${code}, expected ${expected}`);
      failed = true;
      break;
    }
  }
  if (!failed) console.log('\nDemo complete: the second plan found nothing to change.');
} finally {
  await emulator.close();
  await rm(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
