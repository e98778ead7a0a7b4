/**
 * Lock rows: two or three applies at once (some after a holder was killed),
 * six processes taking over one dead or stale lock at the same instant, and a
 * holder paused with SIGSTOP for 12 s while another apply runs. Which process
 * sent each write is read from the socket's owner (pid-proxy.mjs), so "one
 * holder at a time" is checked on what reached the server, not on what the
 * processes say.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_SMALL } from './configs.mjs';
import {
  caseSeed,
  checkCleanFailure,
  checkEnd,
  FAST,
  firstErrorLine,
  isWrite,
  makeRow,
  openCase,
  pool,
  rawErrorIn,
  seeded,
  sleep,
} from './lib.mjs';
import { overlappingWriters, startPidProxy } from './pid-proxy.mjs';

const APPLY = ['apply', '--auto-approve', ...FAST];

/** A case whose CLI processes all go through one pid-tagging proxy. */
async function lockCase(config) {
  const c = await openCase(config ? { config } : {});
  const children = [];
  const proxy = await startPidProxy(c.emulator.url, () => children.map((p) => p.pid));
  c.env.WORKATO_API_URL = proxy.url;
  const start = (args, opts) => {
    const run = c.start(args, opts);
    children.push(run.child);
    return run;
  };
  const close = async () => {
    await proxy.close();
    await c.close();
  };
  return { c, proxy, start, close };
}

/** An apply killed with -9 right after its `k`-th write: it leaves its lock behind. */
async function killedHolder(lc, k) {
  const { child, done } = lc.start([...APPLY, '--quiet'], { timeoutMs: 30_000 });
  const watch = setInterval(() => {
    if (lc.c.emulator.requestLog.filter((e) => isWrite(e) && e.status !== 0).length >= k)
      child.kill('SIGKILL');
  }, 1);
  await done;
  clearInterval(watch);
}

/**
 * Makes the lock left behind look stale rather than dead: its holder file (the
 * numbered file in `<state>.lock/`, see src/state/lock.ts) names another host and
 * was not refreshed for a minute.
 */
async function makeStale(statePath) {
  const lock = `${statePath}.lock`;
  if (!existsSync(lock)) return;
  const past = new Date(Date.now() - 60_000);
  for (const name of await readdir(lock)) {
    if (!/^\d+$/.test(name)) continue;
    const holder = join(lock, name);
    const data = JSON.parse(await readFile(holder, 'utf8'));
    await writeFile(holder, JSON.stringify({ ...data, host: 'elsewhere.invalid' }));
    await utimes(holder, past, past);
  }
}

/** A taker held when it exited 0, or 3 with a line saying the lock is held; never a raw error. */
function judgeTaker(result) {
  if (result.timedOut) return `no exit within ${Math.round(result.ms / 1000)} s`;
  const raw = rawErrorIn(result.stderr) ?? rawErrorIn(result.stdout);
  if (raw) return `${raw}: ${firstErrorLine(result)}`;
  if (result.code === 0) return undefined;
  if (result.code === 3 && /lock/i.test(result.stderr)) return undefined;
  return `exit ${result.code}: ${firstErrorLine(result)}`;
}

async function raceCase(row, id, { takers, killAfter, stale, lockTimeout, config }) {
  const lc = await lockCase(config);
  try {
    if (killAfter !== undefined) await killedHolder(lc, killAfter);
    if (stale) await makeStale(lc.c.statePath);
    const runs = Array.from({ length: takers }, () =>
      lc.start([...APPLY, '--quiet', '--lock-timeout', String(lockTimeout)], { timeoutMs: 120_000 }),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    const overlap = overlappingWriters(lc.proxy.log);
    if (overlap) return row.record(id, overlap);
    for (const [n, result] of results.entries()) {
      const bad = judgeTaker(result);
      if (bad) return row.record(id, `process ${n + 1} of ${takers}: ${bad}`);
    }
    // Those refused by the lock leave work undone when the winner was too; one more apply finishes it.
    if (!results.some((r) => r.code === 0)) {
      const again = await lc.c.runHere([...APPLY, '--quiet']);
      if (again.code !== 0) return row.record(id, `apply after the race: ${firstErrorLine(again)}`);
    }
    row.record(id, await checkEnd(lc.c));
  } finally {
    await lc.close();
  }
}

async function runConcurrent(seed, scale) {
  const row = makeRow(
    'concurrent',
    'two or three applies at once; dead holder’s lock taken over',
    'no two processes wrote at the same time (writes attributed by socket owner); each exits 0, or 3 saying the state is locked, never a raw error; the state ends consistent with the emulator (next plan: no changes, no profile twice, no temp file)',
  );
  const cases = Array.from({ length: Math.max(1, Math.round(60 * scale)) }, (_, i) => i);
  await pool(cases, 2, async (i) => {
    const s = caseSeed(seed, 'concurrent', i);
    const r = seeded(s);
    const takers = r.int(2, 3);
    const killAfter = r.chance(0.33) ? r.int(1, 6) : undefined;
    const lockTimeout = r.pick([0, 30]);
    const id = `case ${i} seed ${s} (${takers} applies${killAfter ? `, holder killed after write ${killAfter}` : ''}, --lock-timeout ${lockTimeout})`;
    await raceCase(row, id, { takers, killAfter, stale: false, lockTimeout, config: CONFIG_SMALL });
  });
  return row;
}

async function runSixWay(seed, scale) {
  const row = makeRow(
    'sixway',
    '6 processes taking over one dead or stale lock at the same instant',
    'no two of the six wrote at the same time; each exits 0 or 3 with a message, never a raw error such as "ENOENT … state.json.lock"; the state ends consistent with the emulator (next plan: no changes, no profile twice, no temp file)',
  );
  const cases = Array.from({ length: Math.max(1, Math.round(60 * scale)) }, (_, i) => i);
  await pool(cases, 2, async (i) => {
    const s = caseSeed(seed, 'sixway', i);
    const r = seeded(s);
    const stale = i % 2 === 1;
    const killAfter = r.int(1, 4);
    const lockTimeout = r.pick([0, 30]);
    const id = `case ${i} seed ${s} (${stale ? 'stale' : 'dead'} lock after write ${killAfter}, --lock-timeout ${lockTimeout})`;
    await raceCase(row, id, { takers: 6, killAfter, stale, lockTimeout, config: CONFIG_SMALL });
  });
  return row;
}

async function runPaused(seed, scale) {
  const row = makeRow(
    'paused',
    'lock holder paused 12 s (SIGSTOP) while another apply runs',
    'the paused apply, once resumed, exits 1 saying its lock was compromised and sends no write after it resumed; the other exits 0 or 3 with a message; no two wrote at the same time; the state ends consistent with the emulator (next plan: no changes, no profile twice)',
  );
  const cases = Array.from({ length: Math.max(1, Math.round(3 * scale)) }, (_, i) => i);
  await pool(cases, 3, async (i) => {
    const s = caseSeed(seed, 'paused', i);
    const pauseAfter = seeded(s).int(1, 3);
    const id = `case ${i} seed ${s} (paused after write ${pauseAfter})`;
    const lc = await lockCase();
    try {
      // Paced to 30 a minute, so it still holds the lock with work left when paused.
      const a = lc.start(['apply', '--auto-approve', '--rate-limit', '30'], { timeoutMs: 120_000 });
      const writes = () => lc.c.emulator.requestLog.filter((e) => isWrite(e) && e.status !== 0).length;
      while (writes() < pauseAfter && a.child.exitCode === null) await sleep(5);
      a.child.kill('SIGSTOP');
      const b = lc.start([...APPLY, '--lock-timeout', '30'], { timeoutMs: 90_000 });
      await sleep(12_000);
      const resumedAt = Date.now();
      a.child.kill('SIGCONT');
      const [ra, rb] = await Promise.all([a.done, b.done]);
      const aPid = a.child.pid;
      const late = lc.proxy.log.filter((e) => e.pid === aPid && isWrite(e) && e.time > resumedAt + 100);
      if (ra.code !== 1 || !/lock was taken over|compromised/i.test(ra.stderr)) {
        return row.record(id, `paused apply: exit ${ra.code}, ${firstErrorLine(ra)}`);
      }
      if (late.length > 0)
        return row.record(id, `paused apply sent ${late.length} write(s) after it resumed`);
      const bad = checkCleanFailure(ra) ?? judgeTaker(rb);
      if (bad) return row.record(id, bad);
      const overlap = overlappingWriters(lc.proxy.log);
      if (overlap) return row.record(id, overlap);
      row.record(id, await checkEnd(lc.c));
    } finally {
      await lc.close();
    }
  });
  return row;
}

export async function runLockRows({ seed, scale = 1 }) {
  const paused = runPaused(seed, scale);
  const concurrent = await runConcurrent(seed, scale);
  const sixway = await runSixWay(seed, scale);
  return [concurrent, sixway, await paused];
}
