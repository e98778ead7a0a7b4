import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateRecorder } from '../../src/apply/recorder.js';
import { StateError } from '../../src/errors.js';
import { emptyState, readState, readStateWithJournal, writeState } from '../../src/state/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-rec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('StateRecorder', () => {
  it('has every concurrent commit on disk (in the journal) once its promise resolves', async () => {
    const path = join(dir, 'state.json');
    const recorder = new StateRecorder(path, emptyState('https://www.workato.com'), { exists: false });
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await recorder.recordAssignment(`E:C${i}`, 'P');
        const onDisk = await readStateWithJournal(path, 'https://www.workato.com');
        expect(onDisk?.state.customers[`E:C${i}`]?.profiles).toEqual(['P']);
      }),
    );
    // One line per entry after the header, and no state file until finish.
    const journal = (await readFile(`${path}.journal`, 'utf8')).trim().split('\n');
    expect(journal).toHaveLength(51);
    expect(existsSync(path)).toBe(false);
    await recorder.finish();
    const final = await readState(path);
    expect(Object.keys(final!.customers)).toHaveLength(50);
    expect(final!.serial).toBe(1);
    expect(existsSync(`${path}.journal`)).toBe(false);
  });

  it('records a customer once under whichever key it is known by', async () => {
    const path = join(dir, 'state.json');
    const recorder = new StateRecorder(path, emptyState('https://www.workato.com'), { exists: false });
    await recorder.recordAssignment('E:A2300', 'Hub', { id: 101, external_id: 'A2300' });
    await recorder.recordAssignment('101', 'Slack');
    await recorder.recordUnassignment('101', 'Hub');
    await recorder.finish();
    expect(JSON.parse(await readFile(path, 'utf8')).customers).toEqual({
      'E:A2300': { id: 101, external_id: 'A2300', profiles: ['Slack'] },
    });
  });

  it('forgets a deleted profile together with its assignments', async () => {
    const path = join(dir, 'state.json');
    const recorder = new StateRecorder(path, emptyState('https://www.workato.com'), { exists: false });
    await recorder.recordAssignment('7', 'Hub');
    await recorder.forgetProfile('Hub');
    await recorder.finish();
    expect((await readState(path))!.customers).toEqual({});
  });

  it('fails with a StateError when the state cannot be written', async () => {
    const recorder = new StateRecorder(join(dir, 'missing-dir', 'state.json'), emptyState('x'), {
      exists: false,
    });
    await expect(recorder.recordAssignment('7', 'Hub')).rejects.toThrow(StateError);
  });
});

describe('a recorder whose state file another process wrote', () => {
  it('refuses to write over it, naming both serials, and leaves the other write in place', async () => {
    const path = join(dir, 'state.json');
    const recorder = new StateRecorder(path, emptyState('https://www.workato.com'), { exists: false });
    await recorder.recordAssignment('7', 'Hub');
    await recorder.finish();
    // Another apply (one that took over the lock while this one was paused) records its own change.
    const theirs = (await readState(path))!;
    theirs.customers['8'] = { id: 8, profiles: ['Slack'] };
    await writeState(path, theirs, theirs);
    const before = await readFile(path, 'utf8');

    await recorder.recordAssignment('9', 'Hub');
    const error = await recorder.finish().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toBe(
      `state file ${path} was not updated: serial 2 of lineage ${theirs.lineage} on disk, not serial 1 of lineage ${theirs.lineage} as this process last read or wrote it; another process changed it, and nothing it wrote was overwritten. Run plan to see where things stand`,
    );
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('refuses a state file that appeared after apply found none', async () => {
    const path = join(dir, 'state.json');
    const recorder = new StateRecorder(path, emptyState('https://www.workato.com'), { exists: false });
    await writeState(path, emptyState('https://www.workato.com'), null);
    await recorder.recordAssignment('9', 'Hub');
    await expect(recorder.finish()).rejects.toThrow(/not no file as this process last read or wrote it/);
  });

  it('reads a state file written by hand (another key order) in full to compare', async () => {
    const path = join(dir, 'state.json');
    const state = emptyState('https://www.workato.com');
    const { version, ...rest } = { ...state, serial: 4 };
    await writeFile(path, JSON.stringify({ ...rest, version }));
    const recorder = new StateRecorder(path, { ...state, serial: 4 }, { exists: true });
    await recorder.recordAssignment('9', 'Hub');
    await recorder.finish();
    expect((await readState(path))!.serial).toBe(5);
  });
});
