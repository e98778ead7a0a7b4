import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, throwIfInvalid } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { BASE, check, problemLines, SECRETS, yaml } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

describe('parseConfig on a valid config', () => {
  it('produces the desired state: camelCase, defaults, secrets resolved, file order and positions', () => {
    const result = check(BASE);
    expect(result.problems).toEqual([]);
    expect(result.desired).toEqual({
      workspace: { dataCenter: 'us' },
      profiles: [
        {
          source: { file: 'test.yaml', line: 5, col: 3 },
          name: 'Acme HubSpot OAuth app',
          provider: 'hubspot',
          clientId: 'acme-hubspot-client',
          clientSecret: { known: true, ref: 'HUBSPOT_CLIENT_SECRET', value: 'hubspot-secret-value' },
          preventDestroy: false,
          previousNames: [],
        },
        {
          source: { file: 'test.yaml', line: 9, col: 3 },
          name: 'Acme Slack app',
          provider: 'slack',
          clientId: '12345.67890',
          clientSecret: { known: true, ref: 'SLACK_CLIENT_SECRET', value: 'slack-secret-value' },
          token: { known: true, ref: 'SLACK_APP_TOKEN', value: 'xapp-token-value' },
          preventDestroy: false,
          previousNames: [],
        },
      ],
      customers: [
        {
          source: { file: 'test.yaml', line: 15, col: 5 },
          ref: { externalId: 'A2300' },
          profiles: ['Acme HubSpot OAuth app', 'Acme Slack app'],
          forceUnassign: false,
        },
      ],
    });
  });

  it('a rename gives the previous names in the order written', () => {
    const result = check(yaml`
      version: 1
      profiles:
        Acme HubSpot (prod):
          provider: hubspot
          client_id: acme-hubspot-client
          client_secret: \${HUBSPOT_CLIENT_SECRET}
          previous_names: [Acme HubSpot, Acme HubSpot OAuth app]
      customers:
        - external_id: A2300
          profiles: [Acme HubSpot (prod)]
    `);
    expect(result.problems).toEqual([]);
    expect(result.desired?.profiles[0]).toMatchObject({
      name: 'Acme HubSpot (prod)',
      previousNames: ['Acme HubSpot', 'Acme HubSpot OAuth app'],
    });
  });

  it('keeps profiles in file order even when a name looks like a number', () => {
    const result = check(yaml`
      version: 1
      profiles:
        Zeta app: { provider: zoom, client_id: z, client_secret: "\${Z}" }
        "123": { provider: hubspot, client_id: h, client_secret: "\${H}" }
        __proto__: { provider: outlook, client_id: o, client_secret: "\${O}" }
      customers:
        - id: 9
          profiles: ["123", Zeta app, __proto__]
          force_unassign: true
    `);
    expect(result.problems).toEqual([]);
    expect(result.desired?.profiles.map((p) => p.name)).toEqual(['Zeta app', '123', '__proto__']);
    expect(result.desired?.customers).toEqual([
      {
        source: { file: 'test.yaml', line: 7, col: 5 },
        ref: { id: 9 },
        profiles: ['123', 'Zeta app', '__proto__'],
        forceUnassign: true,
      },
    ]);
    expect(result.desired?.workspace).toEqual({});
  });

  it('accepts external ids with spaces, slashes and percent signs as written', () => {
    const result = check(yaml`
      version: 1
      workspace: { api_url: "http://127.0.0.1:4010" }
      profiles: {}
      customers:
        - external_id: B 17/02
          profiles: []
        - external_id: "50% off"
          profiles: []
    `);
    expect(result.problems).toEqual([]);
    expect(result.desired?.workspace).toEqual({ apiUrl: 'http://127.0.0.1:4010' });
    expect(result.desired?.customers.map((c) => c.ref)).toEqual([
      { externalId: 'B 17/02' },
      { externalId: '50% off' },
    ]);
  });

  it('reads YAML aliases, e.g. one list of profiles shared by many customers', () => {
    const result = check(yaml`
      version: 1
      profiles:
        Acme HubSpot OAuth app: { provider: hubspot, client_id: h, client_secret: "\${H}" }
      customers:
        - external_id: A1
          profiles: &standard [Acme HubSpot OAuth app]
        - external_id: A2
          profiles: *standard
    `);
    expect(result.problems).toEqual([]);
    expect(result.desired?.customers.map((c) => c.profiles)).toEqual([
      ['Acme HubSpot OAuth app'],
      ['Acme HubSpot OAuth app'],
    ]);
  });

  it('passes the example config, with its 4 profiles and 12 customers', async () => {
    const result = await loadConfig('examples/workato-oauth.yaml', {}, { cwd: root });
    expect(problemLines(result)).toEqual([]);
    const desired = throwIfInvalid(result);
    expect(desired.workspace).toEqual({ dataCenter: 'us' });
    expect(desired.profiles.map((p) => [p.name, p.provider, p.clientId, p.preventDestroy])).toEqual([
      ['Acme HubSpot OAuth app', 'hubspot', 'acme-hubspot-client', false],
      ['Acme Salesforce app', 'salesforce', '3MVG9acme.salesforce', true],
      ['Acme Slack app', 'slack', '12345.67890', false],
      ['Acme Zoom app', 'zoom', 'acme-zoom-client', false],
    ]);
    expect(desired.customers).toHaveLength(12);
    expect(desired.customers[3]?.ref).toEqual({ externalId: 'B 17/02' });
    expect(desired.customers[9]?.ref).toEqual({ id: 4567 });
    expect(desired.customers.filter((c) => c.forceUnassign).map((c) => c.ref)).toEqual([
      { externalId: 'A2307' },
      { id: 4569 },
    ]);
  });
});

describe('problems', () => {
  it('are all reported at once, in file order, and no desired state is produced', () => {
    const result = check(yaml`
      version: 2
      profiles:
        Acme HubSpot OAuth app:
          provider: hubspot
          client_id: 42
          client_secret: \${HUBSPOT_CLIENT_SECRET}
      customers:
        - external_id: A2300
          profiles: [Acme Hubspot app]
    `);
    expect(result.desired).toBeUndefined();
    expect(problemLines(result)).toEqual([
      '1:10  version  unsupported version 2: this tool reads version 1',
      '5:16  profiles["Acme HubSpot OAuth app"].client_id  expected a string, but YAML reads 42 as a number: quote it, client_id: "42"',
      `9:16  customers[0].profiles[0]  unknown profile 'Acme Hubspot app' (did you mean 'Acme HubSpot OAuth app'?)`,
    ]);
  });

  it('with warnings only, the config is still valid', () => {
    const result = check(BASE.replace('provider: hubspot', 'provider: hubsopt'));
    expect(problemLines(result)).toEqual([
      `6:15  profiles["Acme HubSpot OAuth app"].provider  warning: unknown provider 'hubsopt' (did you mean 'hubspot'?)`,
    ]);
    expect(result.desired?.profiles[0]?.provider).toBe('hubsopt');
  });

  it('an empty file is one problem', () => {
    expect(problemLines(check('# nothing yet\n'))).toEqual([
      '1:1    the file is empty: expected version: 1, profiles and customers',
    ]);
  });

  it('a YAML syntax error is positioned, and stops there (the rest would be noise)', () => {
    const result = check(
      'version: 2\nprofiles:\n  Acme:\n    provider: hubspot\n   client_id: x\ncustomers: []\n',
    );
    expect(result.desired).toBeUndefined();
    // version: 2 is wrong too, but a half-read file is not worth checking.
    expect(problemLines(result)).toEqual(['5:1    All mapping items must start at the same column']);
  });

  it('an unclosed quote is reported where it opens, not where the file ends', () => {
    const result = check(
      'version: 1\nprofiles:\n  A:\n    client_id: "abc\n    provider: hubspot\ncustomers: []\n',
    );
    expect(problemLines(result)).toEqual(['4:16    Missing closing "quote']);
  });

  it('a syntax error does not quote the text it tripped over (it may be a secret)', () => {
    // yaml's parser goes on with 'Unexpected scalar token in YAML stream: "pat-SECRET"'.
    const result = check('- version\nclient_secret: pat-SECRET\n');
    expect(problemLines(result)).toEqual(['2:1    Unexpected scalar at node end']);
    expect(JSON.stringify(result)).not.toContain('pat-SECRET');
  });

  it('a second YAML document is refused in words a user knows', () => {
    expect(problemLines(check('version: 1\nprofiles: {}\ncustomers: []\n---\nversion: 1\n'))).toEqual([
      '4:1    one YAML document expected: remove the second "---" and what follows',
    ]);
  });

  it('map keys that are maps or lists, and aliases that contain themselves, are errors', () => {
    const result = check('version: 1\nprofiles:\n  ? [a, b]\n  : {}\ncustomers: &c\n  - *c\n');
    expect(problemLines(result)).toEqual([
      '3:5  profiles  a map or list cannot be a key here',
      '6:5  customers[0]  alias *c refers to a map or list that contains it',
    ]);
  });

  it('a tab-indented file reports the tab line', async () => {
    const result = await loadConfig(fixture('tab-indent.yaml'), {});
    expect(result.desired).toBeUndefined();
    expect(result.problems[0]).toMatchObject({ severity: 'error', line: 4 });
  });
});

describe('loadConfig', () => {
  it('labels problems with the path as given, and reads relative to cwd', async () => {
    const result = await loadConfig('fixtures/duplicate-keys.yaml', SECRETS, {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
    });
    expect(result.problems[0]?.file).toBe('fixtures/duplicate-keys.yaml');
  });

  it('a missing file is one problem line, not an exception', async () => {
    const result = await loadConfig('nowhere/workato-oauth.yaml', {});
    expect(result).toEqual({
      problems: [
        {
          severity: 'error',
          file: 'nowhere/workato-oauth.yaml',
          line: 0,
          col: 0,
          path: '',
          message: 'cannot read: no such file',
        },
      ],
    });
  });
});

describe('throwIfInvalid', () => {
  it('returns the desired state of a valid config', () => {
    expect(throwIfInvalid(check(BASE)).profiles).toHaveLength(2);
  });

  it('throws a ConfigError carrying every problem, warnings included', () => {
    const result = check(
      BASE.replace('provider: hubspot', 'provider: hubsopt').replace('version: 1', 'version: 3'),
    );
    let thrown: unknown;
    try {
      throwIfInvalid(result);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems.map((p) => p.severity)).toEqual(['error', 'warning']);
    expect((thrown as ConfigError).message).toBe('1 problem in the configuration');
  });
});
