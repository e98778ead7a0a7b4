/**
 * Pacing efficiency at Workato's real limit: 60 calls per bucket per rolling 60 s
 * window, enforced by the emulator, with the CLI pacing itself at the default
 * rate. An apply assigns one profile to each of 130 customers new to the state,
 * so the embedded bucket carries the customer check (2 listing pages) and the 130
 * assigns. K calls at R per minute cannot take less than (ceil(K/R) - 1) × 60 s
 * from the first to the last; efficiency is that least time over the measured
 * first-to-last arrival at the emulator, every 429 included.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../dist/emulator/server.js';
import { measureNode } from './measure.mjs';
import { externalId, PROFILES, SECRET_ENV, TOKEN } from './world.mjs';

const RATE = 60;
const CUSTOMERS = 130;

export async function runPacing(cli) {
  const dir = mkdtempSync(join(tmpdir(), 'wo-bench-pacing-'));
  const profile = PROFILES[0];
  const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: 2_000_000 + i,
    external_id: externalId(i),
    name: `Customer ${i}`,
  }));
  const lines = ['version: 1', 'profiles:', `  ${profile.name}:`, `    provider: ${profile.provider}`];
  lines.push(
    `    client_id: ${profile.clientId}`,
    `    client_secret: \${${profile.secretVar}}`,
    'customers:',
  );
  for (const c of customers)
    lines.push(`  - external_id: ${c.external_id}`, `    profiles: [${profile.name}]`);
  writeFileSync(join(dir, 'pacing.yaml'), `${lines.join('\n')}\n`);
  const emulator = await startEmulator({
    token: TOKEN,
    world: { customers },
    ratePerMinute: RATE,
    rateWindowMs: 60_000,
  });
  try {
    const run = await measureNode([cli, 'apply', '-f', 'pacing.yaml', '--auto-approve', '--quiet'], {
      cwd: dir,
      env: { NO_COLOR: '1', WORKATO_API_TOKEN: TOKEN, WORKATO_API_URL: emulator.url, ...SECRET_ENV },
    });
    if (run.code !== 0) throw new Error(`pacing apply failed (${run.code}): ${run.stderr}`);
    const embedded = emulator.requestLog.filter((e) => e.bucket === 'embedded');
    const answered = embedded.filter((e) => e.status !== 429);
    const tooMany = embedded.length - answered.length;
    const calls = answered.length;
    const leastSeconds = (Math.ceil(calls / RATE) - 1) * 60;
    const seconds = (embedded.at(-1).time - embedded[0].time) / 1000;
    return {
      rate: RATE,
      calls,
      tooMany,
      leastSeconds,
      seconds,
      efficiency: leastSeconds / seconds,
      wallMs: run.wallMs,
    };
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
