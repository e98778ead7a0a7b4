// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../e2e/world.js';
import { runCli } from './harness.js';

/** Runs the CLI in-process with a clean environment (no CI variables leak in from the runner). */
function run(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return runCli(args, { cwd: options.cwd ?? root, env: { NO_COLOR: '1', ...options.env } });
}

const INVALID_LINES = [
  "examples/invalid.yaml:6:16  workspace.data_center  unknown data center 'usa' (did you mean 'us'?): expected one of us, eu, jp, sg, au, il, kr, cn, trial",
  `examples/invalid.yaml:10:5  profiles["Acme HubSpot OAuth app"].clinet_id  unknown field 'clinet_id' (did you mean 'client_id'?)`,
  `examples/invalid.yaml:16:5  profiles["Acme HubSpot Europe OAuth app"].client_secret  duplicate key 'client_secret' (first at line 15)`,
  'examples/invalid.yaml:18:5  profiles["Acme Slack app"].token  warning: slack profiles usually need token (the Slack app token), e.g. token: ${SLACK_APP_TOKEN}',
  'examples/invalid.yaml:19:16  profiles["Acme Slack app"].client_id  expected a string, but YAML reads 12345.67890 as the number 12345.6789: quote it, client_id: "12345.67890"',
  'examples/invalid.yaml:20:20  profiles["Acme Slack app"].client_secret  client_secret must be a ${VAR} reference, not a literal: put the value in an environment variable, e.g. SLACK_CLIENT_SECRET, and write client_secret: ${SLACK_CLIENT_SECRET}',
  `examples/invalid.yaml:22:15  profiles["Acme Zoom app"].provider  warning: unknown provider 'zoon' (did you mean 'zoom'?)`,
  'examples/invalid.yaml:23:16  profiles["Acme Zoom app"].client_id  environment variable ZOOM_CLIENT_ID is not set (write $${ for a literal ${)',
  `examples/invalid.yaml:27:16  customers[0].profiles[0]  unknown profile 'Acme Hubspot app' (did you mean 'Acme HubSpot OAuth app'?)`,
  `examples/invalid.yaml:29:40  customers[1].profiles[1]  two hubspot profiles for one customer: 'Acme HubSpot OAuth app' (profiles[0]) and 'Acme HubSpot Europe OAuth app'; Workato allows one profile per application`,
  `examples/invalid.yaml:30:18  customers[2].external_id  customer external_id 'A2300' is listed twice (first at line 26, customers[0]): merge the two entries`,
  'examples/invalid.yaml:32:5  customers[3]  exactly one of id or external_id is required (found both)',
  'examples/invalid.yaml:35:18  customers[4].external_id  expected a string, but YAML reads 2302 as a number: quote it, external_id: "2302"',
];

describe('workato-oauth validate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'workato-oauth-validate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on the example config and says what it holds', async () => {
    const { code, stdout, stderr } = await run(['validate', '-f', 'examples/workato-oauth.yaml']);
    expect({ code, stdout, stderr }).toEqual({
      code: 0,
      stdout: 'examples/workato-oauth.yaml: valid (4 profiles, 12 customers)\n',
      stderr: '',
    });
  });

  it('reads ./workato-oauth.yaml by default; warnings print but do not fail', async () => {
    writeFileSync(
      join(dir, 'workato-oauth.yaml'),
      'version: 1\nprofiles:\n  Slack:\n    provider: slack\n    client_id: "1.2"\n    client_secret: ${S}\ncustomers: []\n',
    );
    const { code, stdout } = await run(['validate'], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toBe(
      'workato-oauth.yaml:4:5  profiles.Slack.token  warning: slack profiles usually need token (the Slack app token), e.g. token: ${SLACK_APP_TOKEN}\n' +
        'workato-oauth.yaml: valid (1 profile, 0 customers, 1 warning)\n',
    );
  });

  it('exits 1 on examples/invalid.yaml and prints every problem with its line, then a summary', async () => {
    const { code, stdout, stderr } = await run(['validate', '-f', 'examples/invalid.yaml']);
    expect(code).toBe(1);
    expect(stdout.split('\n')).toEqual([
      ...INVALID_LINES,
      'examples/invalid.yaml: 11 errors, 2 warnings',
      '',
    ]);
    expect(stderr).toBe('');
    expect(stdout).not.toContain('xoxb-not-a-real-secret');
  });

  it('a missing file is one line and exit 1', async () => {
    const { code, stdout } = await run(['validate', '-f', 'nowhere.yaml'], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toBe('nowhere.yaml  (file)  cannot read: no such file\nnowhere.yaml: 1 error\n');
  });

  it('--format json prints one JSON object', async () => {
    const invalid = await run(['validate', '-f', 'examples/invalid.yaml', '--format', 'json']);
    expect(invalid.code).toBe(1);
    const report = JSON.parse(invalid.stdout) as Record<string, unknown> & { problems: unknown[] };
    expect(report).toMatchObject({ valid: false, file: 'examples/invalid.yaml', errors: 11, warnings: 2 });
    expect(report.problems).toHaveLength(13);
    expect(report.problems[0]).toEqual({
      severity: 'error',
      file: 'examples/invalid.yaml',
      line: 6,
      col: 16,
      path: 'workspace.data_center',
      message:
        "unknown data center 'usa' (did you mean 'us'?): expected one of us, eu, jp, sg, au, il, kr, cn, trial",
    });

    const valid = await run(['validate', '-f', 'examples/workato-oauth.yaml', '--format', 'json']);
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.stdout)).toEqual({
      format_version: '1',
      valid: true,
      file: 'examples/workato-oauth.yaml',
      errors: 0,
      warnings: 0,
      problems: [],
    });
  });

  it('under GitHub Actions, also prints each problem as a workflow annotation', async () => {
    const { code, stdout } = await run(['validate', '-f', 'examples/invalid.yaml'], {
      env: { GITHUB_ACTIONS: 'true' },
    });
    expect(code).toBe(1);
    const annotations = stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toHaveLength(13);
    expect(annotations[0]).toBe(
      "::error file=examples/invalid.yaml,line=6,col=16,title=workspace.data_center::unknown data center 'usa' (did you mean 'us'?): expected one of us, eu, jp, sg, au, il, kr, cn, trial",
    );
    expect(annotations[3]).toBe(
      '::warning file=examples/invalid.yaml,line=18,col=5,title=profiles["Acme Slack app"].token::slack profiles usually need token (the Slack app token), e.g. token: ${SLACK_APP_TOKEN}',
    );
    // The plain lines are still there for the log.
    expect(stdout).toContain(`${INVALID_LINES[0]}\n`);
  });

  it('with --format json under GitHub Actions, annotations go to stderr so stdout stays JSON', async () => {
    const { code, stdout, stderr } = await run(
      ['validate', '-f', 'examples/invalid.yaml', '--format', 'json'],
      {
        env: { GITHUB_ACTIONS: 'true' },
      },
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ valid: false, errors: 11 });
    expect(stderr.split('\n').filter((line) => line.startsWith('::error '))).toHaveLength(11);
  });
});
