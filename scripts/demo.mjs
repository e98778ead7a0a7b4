#!/usr/bin/env node
// `npm run demo`: the main job, end to end, against the built-in Workato emulator.
// No account, no token, no set-up: validate the example, plan, apply, plan again;
// then the same with the rules-based example on a fresh world, where a customer
// created in Workato between two applies is covered by the second.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../dist/emulator/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'workato-oauth.js');
const example = (name) => relative(process.cwd(), join(root, 'examples', name)) || name;
const config = example('workato-oauth.yaml');
const rules = example('rules.yaml');

const work = await mkdtemp(join(tmpdir(), 'workato-oauth-demo-'));
const world = join(work, 'emulator-world.json');
await copyFile(join(root, 'examples', 'emulator-world.json'), world);
const state = join(work, 'workato-oauth.state.json');
const rulesWorld = join(work, 'rules-world.json');
await copyFile(join(root, 'examples', 'emulator-world.json'), rulesWorld);
const rulesState = join(work, 'rules.state.json');

const emulator = await startEmulator({ dataFile: world });
const rulesEmulator = await startEmulator({ dataFile: rulesWorld });
const env = {
  ...process.env,
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

function run(args, url) {
  process.stdout.write(`\n${bold(`$ workato-oauth ${args.join(' ')}`)}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: 'inherit',
      env: { ...env, WORKATO_API_URL: url },
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

let failed = false;
try {
  console.log(`Workato emulator on ${emulator.url}, state in ${state}`);
  const rulesArgs = ['-f', rules, '--state', rulesState];
  const steps = [
    [emulator, ['validate', '-f', config], 0],
    [emulator, ['plan', '-f', config, '--state', state], 0],
    [emulator, ['apply', '-f', config, '--state', state, '--auto-approve'], 0],
    [emulator, ['plan', '-f', config, '--state', state, '--detailed-exitcode'], 0],
    () =>
      console.log(
        `\nNow ${rules}: rules instead of a list of customers, on a fresh world (${rulesEmulator.url}).`,
      ),
    [rulesEmulator, ['validate', '-f', rules], 0],
    [rulesEmulator, ['apply', ...rulesArgs, '--auto-approve'], 0],
    () => {
      rulesEmulator.world.addCustomer({ external_id: 'A2399', name: 'Acme Customer 99' });
      console.log("\nThe partner's product creates customer A2399 in Workato. The next plan covers it:");
    },
    [rulesEmulator, ['plan', ...rulesArgs, '--detailed-exitcode'], 2],
    [rulesEmulator, ['apply', ...rulesArgs, '--auto-approve'], 0],
    [rulesEmulator, ['plan', ...rulesArgs, '--detailed-exitcode'], 0],
  ];
  for (const step of steps) {
    if (typeof step === 'function') {
      step();
      continue;
    }
    const [server, args, expected] = step;
    const code = await run(args, server.url);
    if (code !== expected) {
      console.error(`\ndemo: \`workato-oauth ${args[0]}\` exited ${code}, expected ${expected}`);
      failed = true;
      break;
    }
  }
  if (!failed) {
    console.log(
      '\nDemo complete: after each apply, the next plan found nothing to change; the new customer was covered by the rules.',
    );
  }
} finally {
  await emulator.close();
  await rulesEmulator.close();
  await rm(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
