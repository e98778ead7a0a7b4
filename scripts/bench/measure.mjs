/**
 * Whole processes, measured from outside: CPU (user + system), peak RSS and wall
 * time of one child process. CPU and RSS come from GNU time (`/usr/bin/time -v`)
 * when the machine has it, else from a preloaded module that writes the child's
 * own process.resourceUsage() when it exits. Wall time is taken here, around the
 * spawn, so it includes Node's start-up like a user's shell would.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME);
const USAGE_PRELOAD = fileURLToPath(new URL('./report-usage.mjs', import.meta.url));
export const measuredWith = hasGnuTime
  ? '/usr/bin/time -v'
  : 'process.resourceUsage() preloaded in the child';

let sequence = 0;

/**
 * Runs `node <args>` and resolves with its exit code, output and figures:
 * cpuMs, rssMb, wallMs. `input` is written to its standard input.
 */
export function measureNode(args, { env = {}, cwd, input } = {}) {
  const usageFile = join(tmpdir(), `wo-bench-usage-${process.pid}-${sequence++}.json`);
  const command = hasGnuTime ? GNU_TIME : process.execPath;
  const argv = hasGnuTime ? ['-v', process.execPath, ...args] : ['--import', USAGE_PRELOAD, ...args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, argv, {
      cwd,
      env: { ...process.env, ...env, BENCH_USAGE_FILE: usageFile },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', reject);
    child.stdin.end(input ?? '');
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const out = Buffer.concat(stdout).toString('utf8');
      let err = Buffer.concat(stderr).toString('utf8');
      let cpuMs;
      let rssMb;
      if (hasGnuTime) {
        const at = err.lastIndexOf('\tCommand being timed:');
        const report = err.slice(at);
        err = at === -1 ? err : err.slice(0, at);
        const seconds = (name) => Number(new RegExp(`${name} \\(seconds\\): ([\\d.]+)`).exec(report)?.[1]);
        cpuMs = (seconds('User time') + seconds('System time')) * 1000;
        rssMb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1]) / 1024;
        code = Number(/Exit status: (\d+)/.exec(report)?.[1] ?? code);
      } else {
        const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
        rmSync(usageFile, { force: true });
        cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
        rssMb = usage.maxRSS / 1024;
      }
      resolve({ code, stdout: out, stderr: err, cpuMs, rssMb, wallMs });
    });
  });
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

/** Runs `measureNode` `runs` times; the median of each figure, and the last run's output. */
export async function measureMedian(runs, args, options, before = () => {}) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    // Each run from the same start: a first plan records the customers it checked.
    await before();
    results.push(await measureNode(args, options));
  }
  const last = results.at(-1);
  return {
    ...last,
    runs,
    cpuMs: median(results.map((r) => r.cpuMs)),
    rssMb: median(results.map((r) => r.rssMb)),
    wallMs: median(results.map((r) => r.wallMs)),
  };
}
