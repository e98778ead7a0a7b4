/**
 * The GitHub files users copy: action.yml and examples/github-actions/*.yml parse as
 * YAML, every workato-oauth invocation in them is one the CLI accepts, and the
 * action's script turns the CLI's exit codes into the step result it documents.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root } from '../e2e/world.js';
import { checkInvocation, cliProgram } from './invocations.js';

const EXAMPLES = join(root, 'examples', 'github-actions');

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

async function readYaml(path: string): Promise<Record<string, unknown>> {
  return parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

async function workflows(): Promise<{ name: string; doc: Record<string, unknown> }[]> {
  const names = (await readdir(EXAMPLES)).filter((n) => n.endsWith('.yml')).sort();
  return Promise.all(names.map(async (name) => ({ name, doc: await readYaml(join(EXAMPLES, name)) })));
}

function stepsOf(doc: Record<string, unknown>): Step[] {
  const jobs = doc['jobs'] as Record<string, { steps: Step[] }>;
  return Object.values(jobs).flatMap((job) => job.steps);
}

/** The argv of each CLI run in the steps: this action's `with:` inputs, and `workato-oauth ...` in run scripts. */
function invocationsOf(steps: readonly Step[]): string[][] {
  const words = (text: string | undefined) => (text ?? '').split(/\s+/).filter((w) => w !== '');
  const found: string[][] = [];
  for (const step of steps) {
    if (step.uses?.includes('workato-oauth')) {
      const file = step.with?.['file'];
      found.push([
        ...words(step.with?.['command']),
        ...(file ? ['-f', file] : []),
        ...words(step.with?.['args']),
      ]);
    }
    for (const line of (step.run ?? '').split('\n')) {
      const match = /(?:^|\s)(?:npx\s+)?workato-oauth(?:\.js)?\s+([a-z-].*)$/.exec(line.replace(/#.*$/, ''));
      if (match) found.push(words(match[1]));
    }
  }
  return found;
}

describe('the example workflows', () => {
  it('are the three documented ones, each valid YAML with jobs and steps', async () => {
    const all = await workflows();
    expect(all.map((w) => w.name)).toEqual(['apply.yml', 'drift.yml', 'plan.yml']);
    for (const { doc } of all) {
      expect(doc['on']).toBeDefined();
      expect(stepsOf(doc).length).toBeGreaterThan(0);
    }
  });

  it('run only commands and flags the CLI has', async () => {
    const program = cliProgram();
    const seen: string[] = [];
    for (const { name, doc } of await workflows()) {
      for (const argv of invocationsOf(stepsOf(doc))) {
        seen.push(`${name}: ${argv.join(' ')}`);
        expect(checkInvocation(program, argv), `${name}: workato-oauth ${argv.join(' ')}`).toEqual([]);
      }
    }
    // The invocations the README describes are the ones checked (the checker is not looking at nothing).
    expect(seen).toEqual([
      'apply.yml: apply workato-oauth.plan.json --auto-approve',
      'drift.yml: drift --state git::origin --format markdown',
      'plan.yml: validate',
      'plan.yml: plan --state git::origin --out workato-oauth.plan.json --format markdown --detailed-exitcode',
    ]);
  });

  it('keep the state on the git backend: nothing commits or pushes to a branch', async () => {
    for (const { name, doc } of await workflows()) {
      for (const step of stepsOf(doc)) {
        expect(step.run ?? '', name).not.toMatch(/git (commit|push)/);
      }
    }
    const apply = await readYaml(join(EXAMPLES, 'apply.yml'));
    expect((apply['permissions'] as Record<string, string>)['contents']).toBe('write');
  });

  it('use only this tool and the standard actions', async () => {
    const allowed =
      /^(actions\/(checkout|upload-artifact|download-artifact|github-script)@v\d+|OWNER\/workato-oauth@v0)$/;
    for (const { name, doc } of await workflows()) {
      for (const step of stepsOf(doc)) if (step.uses) expect(step.uses, name).toMatch(allowed);
    }
  });

  it('find the plan comment and the drift issue by a fixed marker and title', async () => {
    const plan = await readFile(join(EXAMPLES, 'plan.yml'), 'utf8');
    expect(plan).toContain("'<!-- workato-oauth-plan -->'");
    expect(plan).toContain('updateComment');
    const drift = await readFile(join(EXAMPLES, 'drift.yml'), 'utf8');
    expect(drift).toContain("const title = 'Workato OAuth drift';");
    expect(drift).toContain("state: 'closed'");
  });
});

describe('the invocation checker', () => {
  const program = cliProgram();
  it('catches a made-up flag, a made-up command, a bad choice and a missing value', () => {
    expect(checkInvocation(program, ['plan', '--outt', 'x.json'])).toContain("'plan' has no option --outt");
    expect(checkInvocation(program, ['apply', 'plan.json', '--auto-aprove'])).toEqual([
      "'apply' has no option --auto-aprove",
    ]);
    expect(checkInvocation(program, ['drfit'])).toEqual(["unknown command 'drfit' (after 'workato-oauth')"]);
    expect(checkInvocation(program, ['drift', '--format', 'html'])).toEqual([
      '--format html: expected one of text, markdown, json',
    ]);
    expect(checkInvocation(program, ['plan', '--out'])).toEqual(['--out needs a value']);
    expect(checkInvocation(program, ['validate', 'extra.yaml'])).toEqual([
      "'validate' takes 0 argument(s), given extra.yaml",
    ]);
    expect(checkInvocation(program, ['state', 'rm'])).toEqual(["'rm' needs 1 argument(s)"]);
  });

  it('accepts short flags, --flag=value, global flags and subcommands', () => {
    expect(checkInvocation(program, ['-q', 'plan', '-f', 'a.yaml', '--format=json'])).toEqual([]);
    expect(checkInvocation(program, ['--nope', 'plan'])).toEqual([
      "unknown command '--nope' (after 'workato-oauth')",
    ]);
    expect(
      checkInvocation(program, ['plan', '-f', 'a.yaml', '--format=json', '--no-verify-customers']),
    ).toEqual([]);
    expect(checkInvocation(program, ['state', 'rm', 'profile["A"]', '--dry-run', '--quiet'])).toEqual([]);
  });
});

describe('action.yml', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('is a composite action with the documented inputs and outputs, run from its own checkout', async () => {
    const action = await readYaml(join(root, 'action.yml'));
    expect(Object.keys(action['inputs'] as object)).toEqual([
      'command',
      'file',
      'args',
      'working-directory',
      'fail-on-exit-2',
      'step-summary',
    ]);
    expect(Object.keys(action['outputs'] as object)).toEqual(['exit-code', 'report']);
    const runs = action['runs'] as { using: string; steps: Step[] };
    expect(runs.using).toBe('composite');
    const run = runs.steps.find((s) => s.env?.['WO_BIN'])!;
    expect(run.env!['WO_BIN']).toBe(`$\{{ github.action_path }}/bin/workato-oauth.js`);
    // The descriptions' examples are real invocations too.
    const program = cliProgram();
    expect(checkInvocation(program, ['plan', '--out', 'plan.json', '--format', 'markdown'])).toEqual([]);
    expect(checkInvocation(program, ['apply', 'plan.json', '--auto-approve'])).toEqual([]);
  });

  /** Runs the action's main script with a stand-in CLI that exits `code` after writing a report. */
  async function runActionScript(code: number, inputs: Record<string, string> = {}) {
    const action = await readYaml(join(root, 'action.yml'));
    const step = (action['runs'] as { steps: Step[] }).steps.find(
      (s) => s.id === 'run' || s.env?.['WO_BIN'],
    ) as Step;
    const dir = await mkdtemp(join(tmpdir(), 'wo-action-'));
    dirs.push(dir);
    const fakeCli = join(dir, 'fake-cli.mjs');
    await writeFile(
      fakeCli,
      `import { appendFileSync, writeFileSync } from 'node:fs';\n` +
        `writeFileSync(${JSON.stringify(join(dir, 'argv.json'))}, JSON.stringify(process.argv.slice(2)));\n` +
        `appendFileSync(process.env.GITHUB_STEP_SUMMARY, '### report\\n');\n` +
        `process.exit(${code});\n`,
    );
    await chmod(fakeCli, 0o755);
    const summary = join(dir, 'summary.md');
    const output = join(dir, 'output.txt');
    await writeFile(summary, '');
    await writeFile(output, '');
    const env = {
      PATH: process.env['PATH'] ?? '',
      RUNNER_TEMP: dir,
      GITHUB_RUN_ID: '1',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      WO_COMMAND: 'plan',
      WO_FILE: '',
      WO_ARGS: '--out plan.json --detailed-exitcode',
      WO_FAIL_ON_2: 'false',
      WO_SUMMARY: 'true',
      WO_BIN: fakeCli,
      ...inputs,
    };
    const result = await promisify(execFile)('bash', ['-e', '-c', step.run!], { env, cwd: dir }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    const outputs = Object.fromEntries(
      (await readFile(output, 'utf8'))
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return {
      ...result,
      outputs,
      argv: JSON.parse(await readFile(join(dir, 'argv.json'), 'utf8')) as string[],
      summary: await readFile(summary, 'utf8'),
      report: outputs['report'] ? await readFile(outputs['report'], 'utf8') : '',
    };
  }

  it('passes exit 2 (changes or drift) as an output without failing the step, unless asked', async () => {
    const changes = await runActionScript(2);
    expect(changes.code).toBe(0);
    expect(changes.outputs['exit-code']).toBe('2');
    expect(changes.report).toBe('### report\n');
    expect(changes.summary).toBe('### report\n');
    expect(changes.argv).toEqual(['plan', '--out', 'plan.json', '--detailed-exitcode']);

    expect((await runActionScript(2, { WO_FAIL_ON_2: 'true' })).code).toBe(2);
  });

  it('fails the step on exit 1 and 3, still with the exit code and the report', async () => {
    const refused = await runActionScript(3, { WO_COMMAND: 'apply', WO_ARGS: 'plan.json --auto-approve' });
    expect(refused.code).toBe(3);
    expect(refused.outputs['exit-code']).toBe('3');
    expect(refused.argv).toEqual(['apply', 'plan.json', '--auto-approve']);
    expect((await runActionScript(1)).code).toBe(1);
  });

  it('passes -f only when a file is given, and a multi-word command as words', async () => {
    const run = await runActionScript(0, {
      WO_COMMAND: 'state list',
      WO_FILE: 'conf/my oauth.yaml',
      WO_ARGS: '',
    });
    expect(run.code).toBe(0);
    expect(run.argv).toEqual(['state', 'list', '-f', 'conf/my oauth.yaml']);
    const noSummary = await runActionScript(0, { WO_SUMMARY: 'false' });
    expect(noSummary.summary).toBe('');
    expect(noSummary.report).toBe('### report\n');
  });
});
