#!/usr/bin/env node
/**
 * `npm run reliability`: the fault campaign of issue 10 against the built CLI
 * and the emulator; writes docs/RELIABILITY.md. `--seed N` re-runs a campaign,
 * `--only <row>[,<row>]` runs some rows (the document is then not written unless
 * `--write`), `--scale F` runs a fraction of each row's cases (development).
 */
import { readFile, writeFile } from 'node:fs/promises';
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
  const args = {
    seed: undefined,
    only: undefined,
    scale: 1,
    write: undefined,
    save: undefined,
    from: undefined,
    minutes: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seed') args.seed = Number(argv[++i]);
    else if (arg === '--only') args.only = argv[++i].split(',');
    else if (arg === '--scale') args.scale = Number(argv[++i]);
    else if (arg === '--write') args.write = true;
    else if (arg === '--save') args.save = argv[++i];
    else if (arg === '--report-from') args.from = argv[++i].split(',');
    else if (arg === '--deadline-minutes') args.minutes = Number(argv[++i]);
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
const { campaign } = await import('./lib.mjs');
if (args.from) {
  // Rows saved by runs that went side by side (--save), put in table order into one report.
  const saved = await Promise.all(args.from.map(async (file) => JSON.parse(await readFile(file, 'utf8'))));
  const order = Object.keys(FAMILIES);
  const rows = saved
    .flatMap((run) => run.families)
    .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    .flatMap((family) => family.rows);
  const { writeReport } = await import('./report.mjs');
  const first = saved[0];
  const seconds = Math.max(...saved.map((run) => run.seconds));
  const command = `${first.command} (row families run side by side: ${saved.map((run) => run.only.join(',')).join(' | ')})`;
  console.log(`wrote ${await writeReport(rows, { seed: first.seed, seconds, command, load: first.load })}`);
  process.exit(0);
}
const seed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
const command = `npm run reliability -- --seed ${seed}`;
console.log(`reliability campaign, seed ${seed} (re-run: ${command})`);
const started = Date.now();
if (args.minutes !== undefined) campaign.deadline = started + args.minutes * 60_000;
const loadBefore = loadavg()[0];
const rows = [];
const families = [];
for (const [name, [module, exported]] of Object.entries(FAMILIES)) {
  if (args.only && !args.only.includes(name)) continue;
  const t = Date.now();
  const run = (await import(module))[exported];
  campaign.skipped = 0;
  const got = await run({ seed, scale: args.scale });
  for (const row of got) {
    if (campaign.skipped > 0) {
      row.notes.push(
        `stopped at the run's deadline (--deadline-minutes ${args.minutes}): ${campaign.skipped} case(s) of this family were not started`,
      );
    }
    rows.push(row);
    const failed = row.notRun ? 'not run' : `${row.tried - row.held} failed`;
    console.log(`${row.test}: tried ${row.tried}, held ${row.held}, ${failed}`);
    for (const f of row.failures.slice(0, 3)) console.log(`  ${f.id}: ${f.why}`);
    for (const note of row.notes) console.log(`  note: ${note}`);
  }
  families.push({ name, rows: got.map(({ record, ...row }) => row) });
  console.log(`  (${name}: ${Math.round((Date.now() - t) / 1000)} s)`);
  if (args.save) {
    const seconds = Math.round((Date.now() - started) / 1000);
    const load = `${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
    await writeFile(
      args.save,
      JSON.stringify({ seed, seconds, command, load, only: args.only ?? ['all'], families }),
    );
  }
}
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`campaign took ${seconds} s`);
if ((!args.only && args.scale === 1) || args.write) {
  const { writeReport } = await import('./report.mjs');
  const load = `${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
  const path = await writeReport(rows, { seed, seconds, command, load });
  console.log(`wrote ${path}`);
}
