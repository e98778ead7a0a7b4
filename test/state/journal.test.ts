/**
 * The journal an apply appends to (src/state/journal.ts): what a stopped apply
 * recorded is found again, on top of exactly the state file it built on, and
 * nothing else is trusted from it.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateRecorder } from '../../src/apply/recorder.js';
import { StateError } from '../../src/errors.js';
import { emptyState, readState, readStateWithJournal, writeState } from '../../src/state/store.js';

const URL = 'https://www.workato.com';
const LIVE = {
  id: 9,
  name: 'Hub',
  provider: 'hubspot',
  data: { client_id: 'c' },
  shared_accounts_count: 0,
  oem_customers_count: 0,
  created_at: 't0',
  updated_at: 't1',
};

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-journal-'));
  path = join(dir, 'staging.state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A recorder that records and then stops, as a killed apply does: nothing but the journal is written. */
async function stoppedApply(start: { state: ReturnType<typeof emptyState>; exists: boolean }) {
  const recorder = new StateRecorder(path, start.state, { exists: start.exists });
  await recorder.recordProfile('Hub', LIVE, {}, { preventDestroy: false });
  await Promise.all([
    recorder.recordAssignment('E:A1', 'Hub', { id: 101, external_id: 'A1' }),
    recorder.recordAssignment('102', 'Hub'),
  ]);
  await recorder.recordUnassignment('101', 'Hub');
  return recorder.state;
}

describe('a journal left by an apply that stopped', () => {
  it('is replayed on top of the state file it built on, giving what the apply had in memory', async () => {
    const file = await writeState(path, emptyState(URL), null);
    const memory = await stoppedApply({ state: file, exists: true });
    expect((await readState(path))!.customers).toEqual({});
    const found = await readStateWithJournal(path, URL);
    expect(found!.replayed).toBe(4);
    expect(found!.state).toEqual(memory);
    expect(found!.state.customers).toEqual({ '102': { id: 102, profiles: ['Hub'] } });
  });

  it('with no state file under it, gives a state for the workspace it names', async () => {
    await stoppedApply({ state: emptyState(URL), exists: false });
    expect(existsSync(path)).toBe(false);
    const found = await readStateWithJournal(path, URL);
    expect(found).toMatchObject({ exists: false, replayed: 4 });
    expect(Object.keys(found!.state.profiles)).toEqual(['Hub']);
    await expect(readStateWithJournal(path, 'https://app.eu.workato.com')).rejects.toThrow(
      `journal file ${path}.journal belongs to workspace ${URL}, not https://app.eu.workato.com`,
    );
  });

  it('built on an older state file is already in it, and is ignored', async () => {
    const file = await writeState(path, emptyState(URL), null);
    await stoppedApply({ state: file, exists: true });
    // A checkpoint that wrote the state and was killed before it could remove the journal.
    const newer = await writeState(path, file, file);
    const found = await readStateWithJournal(path, URL);
    expect(found).toEqual({ state: newer, exists: true, replayed: 0 });
  });

  it('drops a torn last line (never acknowledged), and names file and line for any other damage', async () => {
    const file = await writeState(path, emptyState(URL), null);
    await stoppedApply({ state: file, exists: true });
    await appendFile(`${path}.journal`, '{"op":"assign","key":"E:A9","prof');
    expect((await readStateWithJournal(path, URL))!.replayed).toBe(4);

    const lines = (await readFile(`${path}.journal`, 'utf8')).split('\n');
    lines[2] = '{"op":"assign","key":"E:A1","profile":{"x":1}}';
    await writeFile(`${path}.journal`, lines.join('\n'));
    const error = await readStateWithJournal(path, URL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toBe(
      `journal file ${path}.journal line 3: "profile" must be a non-empty string`,
    );

    lines[2] = '{"op":"drop-table","key":"E:A1"}';
    await writeFile(`${path}.journal`, lines.join('\n'));
    await expect(readStateWithJournal(path, URL)).rejects.toThrow(`line 3: unknown op "drop-table"`);
    lines[2] = '{"op":"unassign","key":"1e3","profile":"Hub"}';
    await writeFile(`${path}.journal`, lines.join('\n'));
    await expect(readStateWithJournal(path, URL)).rejects.toThrow(
      `line 3: "key" "1e3" is not a customer key`,
    );
  });

  it('costs one short line per call, whatever the size of the state', async () => {
    const big = emptyState(URL);
    for (let i = 1; i <= 20_000; i++) big.customers[String(i)] = { id: i, profiles: ['Hub'] };
    const file = await writeState(path, big, null);
    const recorder = new StateRecorder(path, file, { exists: true });
    await recorder.recordAssignment('20001', 'Hub');
    await recorder.recordUnassignment('7', 'Hub');
    const journal = await readFile(`${path}.journal`, 'utf8');
    expect(journal.length).toBeLessThan(300);
    await recorder.finish();
    const saved = (await readState(path))!;
    expect(Object.keys(saved.customers)).toHaveLength(20_000);
    expect(saved.customers['7']).toBeUndefined();
    expect(existsSync(`${path}.journal`)).toBe(false);
  });
});
