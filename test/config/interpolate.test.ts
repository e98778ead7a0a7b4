// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/config/interpolate.js';
import { loadConfig } from '../../src/config/load.js';
import { BASE, check, problemLines, SECRETS, yaml } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

describe('interpolate', () => {
  it('replaces ${NAME} anywhere in a string, several times', () => {
    expect(interpolate('${A}-x-${B_2}', { A: 'a', B_2: 'b' })).toEqual({ ok: true, value: 'a-x-b' });
  });

  it('reads $${ as a literal ${ and leaves other dollars alone', () => {
    expect(interpolate('$${A} costs $5, $$ too', { A: 'never' })).toEqual({
      ok: true,
      value: '${A} costs $5, $$ too',
    });
  });

  it('an unset variable is an error; an empty one is a value', () => {
    expect(interpolate('x${A}${B}', { B: '' })).toEqual({
      ok: false,
      message: 'environment variable A is not set (write $${ for a literal ${)',
    });
    expect(interpolate('x${B}y', { B: '' })).toEqual({ ok: true, value: 'xy' });
  });

  it('bad references are errors', () => {
    expect(interpolate('${A', {})).toMatchObject({
      ok: false,
      message: expect.stringContaining('unterminated ${'),
    });
    expect(interpolate('${1A} ${A-B}', {})).toEqual({
      ok: false,
      message:
        "invalid variable reference '${1A}', '${A-B}': a name has letters, digits and underscores and does not start with a digit (write $${ for a literal ${)",
    });
  });
});

describe('environment variables in the config', () => {
  it('are replaced in every string: names, ids, URLs, references to profiles', () => {
    const result = check(
      yaml`
        version: 1
        workspace:
          api_url: \${WORKATO_URL}/
        profiles:
          \${BRAND} HubSpot:
            provider: hubspot
            client_id: \${BRAND_LOWER}-hubspot
            client_secret: \${HUBSPOT_CLIENT_SECRET}
        customers:
          - external_id: \${BRAND}-1
            profiles: ["\${BRAND} HubSpot"]
          - external_id: "$\${literally}"
            profiles: []
      `,
      { ...SECRETS, WORKATO_URL: 'http://127.0.0.1:4010', BRAND: 'Acme', BRAND_LOWER: 'acme' },
    );
    expect(result.problems).toEqual([]);
    expect(result.desired?.workspace).toEqual({ apiUrl: 'http://127.0.0.1:4010/' });
    expect(result.desired?.profiles.map((p) => [p.name, p.clientId])).toEqual([
      ['Acme HubSpot', 'acme-hubspot'],
    ]);
    expect(result.desired?.customers.map((c) => c.ref)).toEqual([
      { externalId: 'Acme-1' },
      { externalId: '${literally}' },
    ]);
    expect(result.desired?.customers[0]?.profiles).toEqual(['Acme HubSpot']);
  });

  it('an unset variable outside secrets is an error at its position, and nothing more', () => {
    const result = check(
      BASE.replace('data_center: us', 'data_center: ${WORKATO_DC}').replace(
        'client_id: acme-hubspot-client',
        'client_id: ${HUBSPOT_CLIENT_ID}',
      ),
    );
    expect(result.desired).toBeUndefined();
    expect(problemLines(result)).toEqual([
      '3:16  workspace.data_center  environment variable WORKATO_DC is not set (write $${ for a literal ${)',
      '7:16  profiles["Acme HubSpot OAuth app"].client_id  environment variable HUBSPOT_CLIENT_ID is not set (write $${ for a literal ${)',
    ]);
  });

  it('a reference inside [ ] or { } must be quoted: the syntax error says so', () => {
    const result = check('version: 1\nprofiles: {}\ncustomers:\n  - external_id: A\n    profiles: [${P}]\n');
    expect(result.problems[0]).toMatchObject({ line: 5, severity: 'error' });
    expect(result.problems[0]?.message).toContain('inside [ ] or { }, quote ${VAR} references: "${VAR}"');
  });
});

describe('secrets', () => {
  it('an unset secret variable leaves the config valid, with the secret unknown', () => {
    const result = check(BASE, {});
    expect(result.problems).toEqual([]);
    expect(result.desired?.profiles.map((p) => [p.clientSecret, p.token])).toEqual([
      [{ known: false, ref: 'HUBSPOT_CLIENT_SECRET' }, undefined],
      [
        { known: false, ref: 'SLACK_CLIENT_SECRET' },
        { known: false, ref: 'SLACK_APP_TOKEN' },
      ],
    ]);
  });

  it('a secret variable set to the empty string is unknown too (GitHub gives forks empty secrets)', () => {
    const result = check(BASE, { ...SECRETS, HUBSPOT_CLIENT_SECRET: '' });
    expect(result.desired?.profiles[0]?.clientSecret).toEqual({ known: false, ref: 'HUBSPOT_CLIENT_SECRET' });
  });

  it('is never interpolated: a secret value that contains ${ stays as it is', () => {
    const result = check(BASE, { ...SECRETS, HUBSPOT_CLIENT_SECRET: 'a${B}c' });
    expect(result.desired?.profiles[0]?.clientSecret).toEqual({
      known: true,
      ref: 'HUBSPOT_CLIENT_SECRET',
      value: 'a${B}c',
    });
  });

  it('literal secrets are errors that say how to move them, and never show them', async () => {
    const result = await loadConfig(fixture('literal-secrets.yaml'), {});
    expect(result.desired).toBeUndefined();
    const lines = problemLines(result);
    expect(lines).toEqual([
      '6:20  profiles["Acme HubSpot OAuth app"].client_secret  client_secret must be a ${VAR} reference, not a literal: put the value in an environment variable, e.g. HUBSPOT_CLIENT_SECRET, and write client_secret: ${HUBSPOT_CLIENT_SECRET}',
      '10:20  profiles["Acme Slack app"].client_secret  client_secret must be exactly one ${VAR} reference with nothing around it: put the whole secret in an environment variable, e.g. SLACK_CLIENT_SECRET, and write client_secret: ${SLACK_CLIENT_SECRET}',
      '11:12  profiles["Acme Slack app"].token  token is not a valid ${VAR} reference (a name has letters, digits and underscores and does not start with a digit): put the value in an environment variable, e.g. SLACK_APP_TOKEN, and write token: ${SLACK_APP_TOKEN}',
      // Two zoom profiles: the suggestion is per profile, so they do not share one variable.
      '15:20  profiles["Acme Zoom app"].client_secret  client_secret must be a ${VAR} reference, not a literal: put the value in an environment variable, e.g. ACME_ZOOM_APP_CLIENT_SECRET, and write client_secret: ${ACME_ZOOM_APP_CLIENT_SECRET}',
      '19:5  profiles["Acme Zoom EU app"].client_secret  client_secret is empty: put the secret in an environment variable, e.g. ACME_ZOOM_EU_APP_CLIENT_SECRET, and write client_secret: ${ACME_ZOOM_EU_APP_CLIENT_SECRET}',
      '23:20  profiles["Acme Outlook app"].client_secret  client_secret must be a ${VAR} reference, not a literal: put the value in an environment variable, e.g. OUTLOOK_CLIENT_SECRET, and write client_secret: ${OUTLOOK_CLIENT_SECRET}',
    ]);
    const everything = JSON.stringify(result);
    for (const secret of ['pat-na1-SECRET-LITERAL-1', 'xoxb-SECRET-LITERAL-2', '1234567890', 'prefix-']) {
      expect(everything).not.toContain(secret);
    }
  });
});
