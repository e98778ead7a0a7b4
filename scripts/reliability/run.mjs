#!/usr/bin/env node
/**
 * `npm run reliability`: the fault campaign of issue 10 against the built CLI
 * and the emulator; writes docs/RELIABILITY.md. `--seed N` re-runs a campaign,
 * `--only <row>[,<row>]` runs some rows (the document is then not written unless
 * `--write`), `--scale F` runs a fraction of each row's cases (development).
 */
import { loadavg } from 'node:os';

/** Row families in table order: module and the function that runs its rows. */
const FAMILIES = {
  kill: ['./kill.mjs', 'runKillRows'],
  faults: ['./faults.mjs', 'runFaultRows'],
  files: ['./files.mjs', 'runFileRows'],
  secrets: ['./secrets.mjs', 'runSecretRows'],
  proxy: ['./proxy.mjs', 'runProxyRows'],
  locks: ['./locks.mjs', 'runLockRows'],
  disk: ['./disk.mjs', 'runDiskRows'],
};

function parseArgs(argv) {
  const args = { seed: undefined, only: undefined, scale: 1, write: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seed') args.seed = Number(argv[++i]);
    else if (arg === '--only') args.only = argv[++i].split(',');
    else if (arg === '--scale') args.scale = Number(argv[++i]);
    else if (arg === '--write') args.write = true;
    else throw new Error(`unknown argument ${arg}; see the header of scripts/reliability/run.mjs`);
  }
  if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new Error('--seed takes an integer');
  for (const name of args.only ?? []) {
    if (!(name in FAMILIES))
      throw new Error(`--only: no row family ${name}; one of ${Object.keys(FAMILIES).join(', ')}`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const seed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
const command = `npm run reliability -- --seed ${seed}`;
console.log(`reliability campaign, seed ${seed} (re-run: ${command})`);
const started = Date.now();
const loadBefore = loadavg()[0];
const rows = [];
for (const [name, [module, exported]] of Object.entries(FAMILIES)) {
  if (args.only && !args.only.includes(name)) continue;
  const t = Date.now();
  const run = (await import(module))[exported];
  const got = await run({ seed, scale: args.scale });
  for (const row of got) {
    rows.push(row);
    const failed = row.notRun ? 'not run' : `${row.tried - row.held} failed`;
    console.log(`${row.test}: tried ${row.tried}, held ${row.held}, ${failed}`);
    for (const f of row.failures.slice(0, 3)) console.log(`  ${f.id}: ${f.why}`);
    for (const note of row.notes) console.log(`  note: ${note}`);
  }
  console.log(`  (${name}: ${Math.round((Date.now() - t) / 1000)} s)`);
}
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`campaign took ${seconds} s`);
if ((!args.only && args.scale === 1) || args.write) {
  const { writeReport } = await import('./report.mjs');
  const load = `${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
  const path = await writeReport(rows, { seed, seconds, command, load });
  console.log(`wrote ${path}`);
}
