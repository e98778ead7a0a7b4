/**
 * Rows for the disk: a read-only state file (0444), a read-only file system
 * and a full one (a 256 KiB tmpfs filled to a seeded level, when this machine
 * lets us mount one), and two configs sharing a folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  statfs,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_STAGING } from './configs.mjs';
import {
  checkCleanFailure,
  checkEnd,
  EXAMPLE_CONFIG,
  FAST,
  firstErrorLine,
  leftoverTempFiles,
  makeRow,
  openCase,
} from './lib.mjs';

const APPLY = ['apply', '--auto-approve', '--quiet', ...FAST];

/** A 256 KiB tmpfs, or why there is none. */
async function mountTmpfs() {
  const dir = await mkdtemp(join(tmpdir(), 'wo-rel-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    return {
      why: `cannot mount a tmpfs here (${
        String(error.stderr ?? error.message)
          .trim()
          .split('\n')[0]
      })`,
    };
  }
  return {
    dir,
    remount: (mode) => execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' }),
    async unmount() {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What a state write failure must not leave: the lock (the next apply would say "another apply is running") or a temp file. */
async function leftovers(dir) {
  const names = await readdir(dir).catch(() => []);
  const lock = names.filter((n) => n.includes('.lock'));
  const tmp = await leftoverTempFiles(dir);
  return [...lock, ...tmp];
}

async function readOnlyStateCase(row) {
  const c = await openCase();
  try {
    await c.runHere(APPLY);
    await writeFile(
      c.configPath,
      (await readFile(c.configPath, 'utf8')).replace('profiles: [Acme Salesforce app]', 'profiles: []'),
    );
    const before = await readFile(c.statePath, 'utf8');
    await chmod(c.statePath, 0o444);
    const writesBefore = c.emulator.requestLog.filter((e) => e.method !== 'GET').length;
    const result = await c.run(APPLY);
    const after = await stat(c.statePath);
    const id = 'state file 0444';
    row.notes.push(`${id}: apply exited ${result.code}, "${firstErrorLine(result)}"`);
    const bad = checkCleanFailure(result, [1, 3]);
    if (bad) return row.record(id, `${bad}: ${firstErrorLine(result)}`);
    if ((after.mode & 0o777) !== 0o444)
      return row.record(id, `the state's mode became ${(after.mode & 0o777).toString(8)}`);
    if ((await readFile(c.statePath, 'utf8')) !== before)
      return row.record(id, 'the read-only state was rewritten');
    if (c.emulator.requestLog.filter((e) => e.method !== 'GET').length > writesBefore)
      return row.record(id, 'apply made calls before refusing');
    const left = await leftovers(c.dir);
    row.record(id, left.length > 0 ? `left behind: ${left.join(', ')}` : undefined);
  } finally {
    await c.close();
  }
}

/** One apply on the tmpfs, the file system read-only or filled to `freeBytes`. */
async function tmpfsCase(row, fs, { id, readOnly, freeBytes }) {
  const c = await openCase();
  const dir = join(fs.dir, 'case');
  try {
    await mkdir(dir);
    await copyFile(EXAMPLE_CONFIG, join(dir, 'workato-oauth.yaml'));
    const inDir = { cwd: dir };
    if (readOnly) {
      // A state from an earlier apply, so there is something to lose.
      const first = await c.runHere(APPLY, inDir);
      if (first.code !== 0) return row.record(id, `set-up: ${firstErrorLine(first)}`);
      await writeFile(
        join(dir, 'workato-oauth.yaml'),
        (await readFile(join(dir, 'workato-oauth.yaml'), 'utf8')).replace(
          'profiles: [Acme Salesforce app]',
          'profiles: []',
        ),
      );
      fs.remount('ro');
    } else {
      const { bavail, bsize } = await statfs(fs.dir);
      const fill = Math.max(0, bavail * bsize - freeBytes);
      await writeFile(join(fs.dir, 'filler'), Buffer.alloc(fill));
    }
    const result = await c.run(APPLY, { ...inDir, timeoutMs: 60_000 });
    if (readOnly) fs.remount('rw');
    row.notes.push(
      `${id}: apply exited ${result.code}${result.code === 0 ? '' : `, "${firstErrorLine(result)}"`}`,
    );
    // Exit 0 is fine when the space sufficed; otherwise one clean line.
    if (result.code !== 0) {
      const bad = checkCleanFailure(result, [1]);
      if (bad) return row.record(id, `${bad}: ${firstErrorLine(result)}`);
    }
    const left = await leftovers(dir);
    if (left.length > 0)
      return row.record(id, `after "${firstErrorLine(result)}": left behind ${left.join(', ')}`);
    await rm(join(fs.dir, 'filler'), { force: true });
    // Nothing lost: with space again, one apply finishes and the world has no duplicate.
    const again = await c.runHere(APPLY, inDir);
    if (again.code !== 0) return row.record(id, `apply with space again: ${firstErrorLine(again)}`);
    row.record(id, await checkEnd({ ...c, dir, runHere: (args, o) => c.runHere(args, { ...inDir, ...o }) }));
  } finally {
    if (existsSync(fs.dir)) {
      fs.remount('rw');
      await rm(dir, { recursive: true, force: true });
      await rm(join(fs.dir, 'filler'), { force: true });
    }
    await c.close();
  }
}

async function twoConfigsCase(row) {
  const c = await openCase();
  try {
    await copyFile(EXAMPLE_CONFIG, join(c.dir, 'production.yaml'));
    await writeFile(join(c.dir, 'staging.yaml'), CONFIG_STAGING);
    const id = 'production.yaml and staging.yaml in one folder';
    for (const file of ['production.yaml', 'staging.yaml']) {
      const applied = await c.run([...APPLY, '-f', file]);
      if (applied.code !== 0) return row.record(id, `apply -f ${file}: ${firstErrorLine(applied)}`);
    }
    for (const file of ['production.yaml', 'staging.yaml']) {
      const plan = await c.runHere(['plan', '--detailed-exitcode', ...FAST, '-f', file]);
      if (plan.code !== 0)
        return row.record(
          id,
          `plan -f ${file} after both applies: exit ${plan.code}, ${firstErrorLine(plan)}`,
        );
    }
    row.record(id, undefined);
  } finally {
    await c.close();
  }
}

export async function runDiskRows({ scale = 1 }) {
  const disk = makeRow(
    'disk',
    'read-only state (0444) / read-only file system / disk full (256 KiB tmpfs)',
    'apply exits 1 with one line (no bare "ENOSPC"), a 0444 state keeps its mode and content, no lock or temp file is left behind, and once space is back one apply converges (next plan: no changes, no profile twice)',
  );
  await readOnlyStateCase(disk);
  const fs = await mountTmpfs();
  if (fs.why) {
    disk.notRun = fs.why;
    disk.notes.push(`disk-full and read-only file system cases not run: ${fs.why}`);
  } else {
    try {
      await tmpfsCase(disk, fs, { id: 'read-only file system (tmpfs remounted ro)', readOnly: true });
      // tmpfs counts 4 KiB pages: the lock, its holder file and the state's temp file each need one.
      const levels = [0, 4096, 8192, 12288, 24576].slice(0, Math.max(1, Math.round(5 * scale)));
      for (const free of levels)
        await tmpfsCase(disk, fs, { id: `disk full: ${free} bytes free`, freeBytes: free });
    } finally {
      await fs.unmount();
    }
  }
  const two = makeRow(
    'two',
    'two configs in one folder',
    'each config gets its own default state (`staging.yaml` → `staging.state.json`): after applying both, `plan` of each shows no changes',
  );
  await twoConfigsCase(two);
  return [disk, two];
}
