/**
 * Row "kill -9 at seeded points, then one re-run": an apply is killed right
 * after its k-th write reached the emulator (k seeded), on a first onboarding
 * or on a change; one more apply must converge, with no duplicate profile and
 * no temp file of the tool left.
 */
import { writeFile } from 'node:fs/promises';
import { CONFIG_V2 } from './configs.mjs';
import { caseSeed, checkEnd, firstErrorLine, isWrite, makeRow, openCase, pool, seeded } from './lib.mjs';

const APPLY = ['apply', '--auto-approve', '--allow-delete', '--force', '--quiet', '--rate-limit', '100000'];

export async function runKillRows({ seed, scale = 1 }) {
  const row = makeRow(
    'kill',
    'kill -9 at seeded points, then one re-run',
    'after the kill, one more apply exits 0, the next plan shows no changes, no profile name exists twice in the emulator and no `.…tmp` file of the tool is left',
  );
  const cases = Array.from({ length: Math.round(50 * scale) }, (_, i) => i);
  await pool(cases, 3, async (i) => {
    const s = caseSeed(seed, 'kill', i);
    const r = seeded(s);
    const change = i % 2 === 1;
    const c = await openCase();
    try {
      if (change) {
        const first = await c.runHere(APPLY);
        if (first.code !== 0)
          return row.record(`case ${i} seed ${s}`, `setup apply: ${firstErrorLine(first)}`);
        await writeFile(c.configPath, CONFIG_V2);
      }
      const killAfter = r.int(1, change ? 14 : 18);
      let writes = 0;
      const { child, done } = c.start(APPLY, { timeoutMs: 30_000 });
      const from = c.emulator.requestLog.length;
      // Polled, not hooked: the kill lands a moment after the k-th write's answer, as a real crash would.
      const watch = setInterval(() => {
        writes = c.emulator.requestLog.slice(from).filter((e) => isWrite(e) && e.status !== 0).length;
        if (writes >= killAfter) child.kill('SIGKILL');
      }, 1);
      await done;
      clearInterval(watch);
      // In-process: the same built program, without a second Node start-up per case.
      const again = await c.runHere(APPLY);
      if (again.code !== 0) {
        return row.record(
          `case ${i} seed ${s} (kill after write ${killAfter})`,
          `re-run: ${firstErrorLine(again)}`,
        );
      }
      row.record(`case ${i} seed ${s} (kill after write ${killAfter})`, await checkEnd(c));
    } finally {
      await c.close();
    }
  });
  return [row];
}
