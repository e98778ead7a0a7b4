// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
/**
 * What validate must catch because plan would reject it later (issue 12), and the
 * YAML people write to share fields: merge keys and top-level `x-` keys.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BASE, check, problemLines, withCustomers, yaml } from './helpers.js';

describe('validate checks what plan would refuse, at file:line:col', () => {
  it('an api_url the token may not be sent to', () => {
    const config = BASE.replace('  data_center: us', '  api_url: http://example.com');
    expect(problemLines(check(config))).toEqual([
      '3:12  workspace.api_url  plain http:// is refused for example.com: the API token would travel unencrypted; use https:// (http:// is allowed only for localhost, 127.0.0.0/8 and ::1, e.g. the emulator)',
    ]);
    const credentials = BASE.replace('  data_center: us', '  api_url: https://me:pw@www.workato.com');
    expect(problemLines(check(credentials))[0]).toMatch(
      /^3:12 {2}workspace\.api_url {2}the URL must not hold credentials/,
    );
    for (const fine of [
      'https://www.workato.com',
      'http://127.0.0.1:4010',
      'https://proxy.example.com/workato/',
    ]) {
      expect(check(BASE.replace('  data_center: us', `  api_url: ${fine}`)).problems).toEqual([]);
    }
  });

  it('customer ids that are not plain decimal integers, or too large to read exactly', () => {
    const result = check(
      withCustomers(yaml`
        - id: 9007199254740993
          profiles: [Acme Slack app]
        - id: 1e23
          profiles: [Acme Slack app]
        - id: 0x10
          profiles: [Acme Slack app]
        - id: 010
          profiles: [Acme Slack app]
        - id: 9007199254740991
          profiles: [Acme Slack app]
      `),
    );
    expect(problemLines(result)).toEqual([
      '15:7  customers[0].id  id 9007199254740993 is larger than 9007199254740991, the largest id that can be read exactly (it would become 9007199254740992)',
      '17:7  customers[1].id  id 1e23 is not a plain decimal integer: write the customer id in digits, e.g. id: 4567',
      '19:7  customers[2].id  id 0x10 is not a plain decimal integer: write the customer id in digits, e.g. id: 4567',
      '21:7  customers[3].id  id 010 is not a plain decimal integer: write the customer id in digits, e.g. id: 4567',
    ]);
  });
});

describe('YAML merge keys and x- keys', () => {
  const SHARED = yaml`
    version: 1
    x-hubspot: &hubspot
      provider: hubspot
      client_id: shared-client
      client_secret: \${HUBSPOT_CLIENT_SECRET}
    x-notes: { owner: platform team, profiles: not checked here }
    profiles:
      HubSpot EU:
        <<: *hubspot
        prevent_destroy: true
      HubSpot US:
        <<: [*hubspot]
        client_id: us-client
    customers:
      - external_id: A1
        profiles: [HubSpot EU]
  `;

  it('take the anchored fields, fields written beside << winning, and ignore top-level x- keys', () => {
    const result = check(SHARED);
    expect(result.problems).toEqual([]);
    const profiles = result.desired?.profiles.map((p) => ({
      name: p.name,
      provider: p.provider,
      clientId: p.clientId,
      ref: p.clientSecret.ref,
      known: p.clientSecret.known,
      preventDestroy: p.preventDestroy,
    }));
    expect(profiles).toEqual([
      {
        name: 'HubSpot EU',
        provider: 'hubspot',
        clientId: 'shared-client',
        ref: 'HUBSPOT_CLIENT_SECRET',
        known: true,
        preventDestroy: true,
      },
      {
        name: 'HubSpot US',
        provider: 'hubspot',
        clientId: 'us-client',
        ref: 'HUBSPOT_CLIENT_SECRET',
        known: true,
        preventDestroy: false,
      },
    ]);
  });

  it('a merged field that is wrong is reported once, and x- keys are only ignored at the top', () => {
    const wrong = check(SHARED.replace('provider: hubspot', 'provider: 42'));
    // Once per profile that merges it, each at the anchored text.
    expect(problemLines(wrong).filter((line) => line.includes('.provider'))).toEqual([
      expect.stringMatching(/^3:13 {2}profiles\["HubSpot EU"\]\.provider {2}/),
      expect.stringMatching(/^3:13 {2}profiles\["HubSpot US"\]\.provider {2}/),
    ]);
    const nested = check(SHARED.replace('    prevent_destroy: true', '    x-note: hi'));
    expect(problemLines(nested)).toEqual([
      expect.stringMatching(/^10:5 {2}profiles\["HubSpot EU"\]\["x-note"\] {2}unknown field 'x-note'/),
    ]);
    const notAMap = check(SHARED.replace('    <<: [*hubspot]', '    <<: just text'));
    expect(problemLines(notAMap)[0]).toMatch(/a merge key \(<<\) takes a map/);
  });
});

describe('docs/config-format.md', () => {
  it('its merge key example is a valid config that shares the anchored fields', async () => {
    const doc = await readFile(new URL('../../docs/config-format.md', import.meta.url), 'utf8');
    const example = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1] ?? '')
      .find((block) => block.includes('x-hubspot'));
    expect(example).toBeDefined();
    const result = check(example ?? '');
    expect(result.problems).toEqual([]);
    expect(result.desired?.profiles.map((p) => [p.name, p.clientId, p.preventDestroy])).toEqual([
      ['Acme HubSpot EU', 'acme-hubspot-client', true],
      ['Acme HubSpot US', 'acme-hubspot-us', false],
    ]);
  });
});
