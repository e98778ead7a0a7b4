/**
 * A worker that runs one case of a mutated-file row: writes the case's files to
 * a folder of its own, starts an emulator on the given world when asked, runs
 * the built CLI's program in-process and answers with the exit, the output and
 * the calls the emulator saw. The parent kills the worker when a case overruns.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { runInProcess } from './inproc.mjs';
import { startEmulator, worldView } from './lib.mjs';

parentPort.on('message', async (job) => {
  const dir = await mkdtemp(join(tmpdir(), 'wo-rel-file-'));
  let emulator;
  try {
    for (const [name, content] of Object.entries(job.files)) await writeFile(join(dir, name), content);
    const env = { ...job.env };
    if (job.world) {
      emulator = await startEmulator({
        token: job.env.WORKATO_API_TOKEN,
        world: job.world,
        ratePerMinute: 100_000,
      });
      env.WORKATO_API_URL = emulator.url;
    }
    const result = await runInProcess(job.args, { cwd: dir, env });
    const log = emulator?.requestLog ?? [];
    parentPort.postMessage({
      ...result,
      calls: log.length,
      writes: log.filter((e) => e.method !== 'GET').length,
      view: emulator ? worldView(emulator.world.toData()) : undefined,
    });
  } catch (error) {
    parentPort.postMessage({
      code: 1,
      stdout: '',
      stderr: `worker: ${error?.stack ?? error}`,
      calls: 0,
      writes: 0,
    });
  } finally {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  }
});
