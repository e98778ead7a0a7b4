/**
 * `--format json` in a pipeline: whatever happens, stdout is exactly one JSON
 * document, and `error` ({exit_code, kind, messages}) is in it exactly when the
 * command failed or was refused (docs/plan-json.md, "Errors").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Bench, type CliRun, FAST, startBench } from './harness.js';

let bench: Bench;
beforeEach(async () => {
  bench = await startBench();
});
afterEach(async () => {
  await bench.expectNoLeaks();
  await bench.close();
});

interface ErrorDoc {
  format_version: string;
  error: { exit_code: number; kind: string; messages: string[] };
  [key: string]: unknown;
}

/** JSON.parse fails on two documents or on text around one: stdout must be exactly one. */
function parseOne(run: CliRun): ErrorDoc {
  return JSON.parse(run.stdout) as ErrorDoc;
}

describe('--format json on an error', () => {
  it('plan: an invalid config, a missing token and a bad option each give one error object', async () => {
    const missing = await bench.cli(['plan', '--format', 'json', '-f', 'nope.yaml']);
    expect(missing.code).toBe(1);
    expect(parseOne(missing)).toEqual({
      format_version: '1',
      error: {
        exit_code: 1,
        kind: 'config',
        messages: ['nope.yaml  (file)  cannot read: no such file', '1 problem in the configuration'],
      },
    });

    const noToken = await bench.cli(['plan', '--format', 'json'], { env: { WORKATO_API_TOKEN: undefined } });
    expect(noToken.code).toBe(1);
    expect(parseOne(noToken).error).toMatchObject({ exit_code: 1, kind: 'usage' });
    expect(parseOne(noToken).error.messages[0]).toMatch(/^WORKATO_API_TOKEN is not set/);

    const badOption = await bench.cli(['plan', '--format=json', '--nope']);
    expect(badOption.code).toBe(1);
    expect(parseOne(badOption).error).toEqual({
      exit_code: 1,
      kind: 'usage',
      messages: ["unknown option '--nope'"],
    });
  });

  it('plan: a refused plan is printed once, with the error added to it', async () => {
    expect((await bench.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
    await bench.editConfig((doc) => {
      const zoom = doc.profiles['Acme Zoom app'] as unknown as Record<string, unknown>;
      zoom['prevent_destroy'] = true;
    });
    expect((await bench.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
    await bench.editConfig((doc) => {
      delete doc.profiles['Acme Zoom app'];
      doc.customers = doc.customers
        .map((c) => ({ ...c, profiles: c.profiles.filter((p) => p !== 'Acme Zoom app') }))
        .filter((c) => c.profiles.length > 0);
    });
    const refused = await bench.cli(['plan', '--format', 'json', ...FAST]);
    expect(refused.code).toBe(3);
    const doc = parseOne(refused);
    expect(doc.format_version).toBe('1');
    expect((doc['refusals'] as { code: string }[]).map((r) => r.code)).toContain('prevent-destroy');
    expect(doc.error.exit_code).toBe(3);
    expect(doc.error.kind).toBe('refused');
    expect(doc.error.messages[0]).toBe('the plan is refused:');
    expect(doc.error.messages[1]).toContain('profile["Acme Zoom app"] has prevent_destroy');
  });

  it('apply: a refusal and a missing terminal each give one document with the error', async () => {
    expect((await bench.cli(['apply', '--auto-approve', ...FAST])).code).toBe(0);
    await bench.editConfig((doc) => {
      delete doc.profiles['Acme Zoom app'];
      doc.customers = doc.customers
        .map((c) => ({ ...c, profiles: c.profiles.filter((p) => p !== 'Acme Zoom app') }))
        .filter((c) => c.profiles.length > 0);
    });
    const refused = await bench.cli(['apply', '--auto-approve', '--format', 'json', ...FAST]);
    expect(refused.code).toBe(3);
    const doc = parseOne(refused);
    expect(doc['summary']).toMatchObject({ delete: 1 });
    expect(doc.error).toMatchObject({ exit_code: 3, kind: 'refused' });
    expect(doc.error.messages).toContain(
      'profile["Acme Zoom app"] would be deleted; pass --allow-delete to allow it',
    );

    const noTerminal = await bench.cli(['apply', '--allow-delete', '--format', 'json', ...FAST]);
    expect(noTerminal.code).toBe(1);
    expect(parseOne(noTerminal)).toEqual({
      format_version: '1',
      error: {
        exit_code: 1,
        kind: 'usage',
        messages: ['there is no terminal to confirm on; review the plan, then run apply with --auto-approve'],
      },
    });
  });

  it('validate: an invalid config carries the error beside its problems', async () => {
    await bench.editConfig((doc) => {
      (doc as unknown as Record<string, unknown>)['version'] = 2;
    });
    const run = await bench.cli(['validate', '--format', 'json']);
    expect(run.code).toBe(1);
    const doc = parseOne(run);
    expect(doc['valid']).toBe(false);
    expect(doc.error).toMatchObject({ exit_code: 1, kind: 'config' });
    expect(doc.error.messages.at(-1)).toBe('workato-oauth.yaml: 1 error');
  });
});
