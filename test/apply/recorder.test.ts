import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateRecorder } from '../../src/apply/recorder.js';
import { StateError } from '../../src/errors.js';
import { emptyState, readState } from '../../src/state/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-rec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('StateRecorder', () => {
  it('has every concurrent commit on disk once its promise resolves', async () => {
    const path = join(dir, 'state.json');
    const recorder = new StateRecorder(path, emptyState('https://www.workato.com'));
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await recorder.recordAssignment(`E:C${i}`, 'P');
        const onDisk = await readState(path);
        expect(onDisk?.customers[`E:C${i}`]?.profiles).toEqual(['P']);
      }),
    );
    const final = await readState(path);
    expect(Object.keys(final!.customers)).toHaveLength(50);
    // Writes were shared: far fewer than one per commit, and the serial counts them.
    expect(final!.serial).toBeLessThan(50);
    expect(final!.serial).toBeGreaterThan(0);
  });

  it('records a customer once under whichever key it is known by', async () => {
    const path = join(dir, 'state.json');
    const recorder = new StateRecorder(path, emptyState('https://www.workato.com'));
    await recorder.recordAssignment('E:A2300', 'Hub', { id: 101, external_id: 'A2300' });
    await recorder.recordAssignment('101', 'Slack');
    await recorder.recordUnassignment('101', 'Hub');
    expect(JSON.parse(await readFile(path, 'utf8')).customers).toEqual({
      'E:A2300': { id: 101, external_id: 'A2300', profiles: ['Slack'] },
    });
  });

  it('forgets a deleted profile together with its assignments', async () => {
    const path = join(dir, 'state.json');
    const recorder = new StateRecorder(path, emptyState('https://www.workato.com'));
    await recorder.recordAssignment('7', 'Hub');
    await recorder.forgetProfile('Hub');
    expect((await readState(path))!.customers).toEqual({});
  });

  it('fails with a StateError when the state cannot be written', async () => {
    const recorder = new StateRecorder(join(dir, 'missing-dir', 'state.json'), emptyState('x'));
    await expect(recorder.recordAssignment('7', 'Hub')).rejects.toThrow(StateError);
  });
});
