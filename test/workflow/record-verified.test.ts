/**
 * plan records the customers it checked in the state, but only onto the file it
 * planned against: never over another writer's state, never under a journal that
 * a stopped apply left (the next apply must fold it first).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { JournalFile } from '../../src/state/journal-file.js';
import { createLocalBackend } from '../../src/state/local-backend.js';
import { emptyState, loadStateFile, writeState } from '../../src/state/store.js';
import { loadState } from '../../src/workflow/state-backend.js';
import { recordVerifiedCustomers } from '../../src/workflow/verified-customers.js';
import { memoryIo } from '../memory-io.js';

const WORKSPACE = 'https://www.workato.com';
let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-record-'));
  path = join(dir, 'workato-oauth.state.json');
  await writeState(path, { ...emptyState(WORKSPACE), lineage: '0e1f2a3b-aaaa-4bbb-8ccc-123456789abc' }, null);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const verified = new Map([['E:A1', { id: 11, external_id: 'A1' }]]);

async function planned() {
  const loaded = await loadState(createLocalBackend(path), WORKSPACE);
  loaded.state.customers['E:A1'] = { id: 11, external_id: 'A1', profiles: [] };
  return loaded;
}

/** The journal of an apply stopped after one assign, started on the state at `serial`. */
async function stoppedApply(lineage: string, serial: number): Promise<void> {
  const journal = await JournalFile.start(path, { lineage, serial }, WORKSPACE);
  await journal.append(`${JSON.stringify({ op: 'assign', key: 'E:A2', profile: 'P', external_id: 'A2' })}\n`);
  await journal.close();
}

it('records the checked customers when the file is the one planned against', async () => {
  const io = memoryIo({ quiet: false });
  await recordVerifiedCustomers(await planned(), verified, io);
  const state = JSON.parse(await readFile(path, 'utf8'));
  expect(state.customers['E:A1']).toEqual({ id: 11, external_id: 'A1', profiles: [] });
  expect(state.serial).toBe(2);
  expect(io.stderr).toContain('Recorded 1 customer(s)');
});

it('leaves a state another process wrote since the plan read it', async () => {
  const loaded = await planned();
  await writeState(path, { ...loaded.state, customers: {} }, { lineage: loaded.state.lineage, serial: 1 });
  const io = memoryIo({ quiet: false });
  await recordVerifiedCustomers(loaded, verified, io);
  const state = JSON.parse(await readFile(path, 'utf8'));
  expect(state.customers).toEqual({});
  expect(io.stderr).toContain('the state changed while planning');
});

it('writes nothing over a journal a stopped apply left on the same file during the plan', async () => {
  const loaded = await planned();
  await stoppedApply(loaded.state.lineage, 1);
  const io = memoryIo({ quiet: false });
  await recordVerifiedCustomers(loaded, verified, io);
  const state = JSON.parse(await readFile(path, 'utf8'));
  expect(state.serial).toBe(1);
  expect(io.stderr).toContain('a journal left by a stopped apply');
  // The journal still applies to the file: the next apply recovers the assign.
  expect((await loadStateFile(path, WORKSPACE)).replayed).toBe(1);
});

it('records over a journal that no longer applies: one based on an older state file', async () => {
  const loaded = await planned();
  // Started on serial 0; the file is at serial 1, so readStateWithJournal ignores it too.
  await stoppedApply(loaded.state.lineage, 0);
  const io = memoryIo({ quiet: false });
  await recordVerifiedCustomers(loaded, verified, io);
  const state = JSON.parse(await readFile(path, 'utf8'));
  expect(state.serial).toBe(2);
  expect(state.customers['E:A2']).toBeUndefined();
  expect(io.stderr).toContain('Recorded 1 customer(s)');
});
