// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_CENTERS } from '../../src/api/data-centers.js';
import { SCHEMA_URL } from '../../src/config/schema.js';
import { BASE, check, problemLines, withCustomers, yaml } from './helpers.js';

describe('schema problems read as a user would say them', () => {
  it('a typo in a field name suggests the field, and is not also "missing"', () => {
    const result = check(
      BASE.replace('    client_id: acme-hubspot-client', '    clinet_id: acme-hubspot-client'),
    );
    expect(problemLines(result)).toEqual([
      `7:5  profiles["Acme HubSpot OAuth app"].clinet_id  unknown field 'clinet_id' (did you mean 'client_id'?)`,
    ]);
  });

  it('an unknown field with nothing close lists the allowed ones', () => {
    const result = check(`${BASE}owner: platform-team\n`);
    expect(problemLines(result)).toEqual([
      `17:1  owner  unknown field 'owner' (allowed: version, workspace, state, profiles, rules, customers, customers_from)`,
    ]);
  });

  it('a missing field is positioned at the map that lacks it', () => {
    const result = check(BASE.replace('    provider: hubspot\n', ''));
    expect(problemLines(result)).toEqual([
      `6:5  profiles["Acme HubSpot OAuth app"].provider  missing required field 'provider'`,
    ]);
  });

  it('a missing client_secret says what to write', () => {
    const result = check(BASE.replace('    client_secret: ${HUBSPOT_CLIENT_SECRET}\n', ''));
    expect(problemLines(result)).toEqual([
      '6:5  profiles["Acme HubSpot OAuth app"].client_secret  missing required field \'client_secret\' (write client_secret: ${HUBSPOT_CLIENT_SECRET})',
    ]);
  });

  it('an unknown data center lists the allowed ones and suggests the closest', () => {
    const result = check(BASE.replace('data_center: us', 'data_center: usa'));
    expect(problemLines(result)).toEqual([
      `3:16  workspace.data_center  unknown data center 'usa' (did you mean 'us'?): expected one of us, eu, jp, sg, au, il, kr, cn, trial`,
    ]);
  });

  it('workspace takes data_center or api_url, not both, and api_url must be a URL', () => {
    const both = check(
      BASE.replace('  data_center: us', '  data_center: us\n  api_url: https://www.workato.com'),
    );
    expect(problemLines(both)).toEqual([
      '3:3  workspace  exactly one of data_center or api_url is required (found both)',
    ]);
    const notUrl = check(BASE.replace('  data_center: us', '  api_url: www.workato.com'));
    expect(problemLines(notUrl)).toEqual([
      '3:12  workspace.api_url  api_url must be an http:// or https:// URL, e.g. https://www.workato.com',
    ]);
  });

  it('version must be 1, and be there', () => {
    expect(problemLines(check(BASE.replace('version: 1', 'version: "1"')))).toEqual([
      '1:10  version  version must be the number 1, not a string',
    ]);
    expect(problemLines(check(BASE.replace('version: 1\n', '')))).toEqual([
      `1:1  version  missing required field 'version'`,
    ]);
  });

  it('profiles and customers are required even when empty, so a deleted section is not "remove everything"', () => {
    expect(problemLines(check('version: 1\nprofiles: {}\n'))).toEqual([
      `1:1  customers  missing required field 'customers'`,
    ]);
    expect(check('version: 1\nprofiles: {}\ncustomers: []\n').desired).toEqual({
      workspace: {},
      profiles: [],
      customers: [],
    });
  });

  it('a customer needs exactly one of id and external_id', () => {
    const result = check(
      BASE.replace(
        '  - external_id: A2300\n',
        '  - external_id: A2300\n    id: 12\n    profiles: []\n  - force_unassign: true\n',
      ),
    );
    expect(problemLines(result)).toEqual([
      '15:5  customers[0]  exactly one of id or external_id is required (found both)',
      '18:5  customers[1]  exactly one of id or external_id is required (found neither)',
    ]);
  });

  it('numbers where strings belong say how to quote them, keeping what was written', () => {
    const result = check(
      BASE.replace('client_id: "12345.67890"', 'client_id: 12345.67890').replace(
        'external_id: A2300',
        'external_id: 0012',
      ),
    );
    expect(problemLines(result)).toEqual([
      '11:16  profiles["Acme Slack app"].client_id  expected a string, but YAML reads 12345.67890 as the number 12345.6789: quote it, client_id: "12345.67890"',
      '15:18  customers[0].external_id  expected a string, but YAML reads 0012 as the number 12: quote it, external_id: "0012"',
    ]);
  });

  it('ids are positive integers, written without quotes', () => {
    const result = check(
      withCustomers(
        '  - id: "4567"\n    profiles: []\n  - id: 0\n    profiles: []\n  - id: A-17\n    profiles: []\n  - id: 1.5\n    profiles: []\n',
      ),
    );
    expect(problemLines(result)).toEqual([
      '15:9  customers[0].id  expected a number, got a string: write id: 4567 without quotes',
      '17:9  customers[1].id  expected a positive integer, got 0',
      `19:9  customers[2].id  id is Workato's numeric customer id; for your own id of the customer write external_id: "A-17"`,
      '21:9  customers[3].id  expected a positive integer, got 1.5',
    ]);
  });

  it('blank external ids and profile references are refused', () => {
    const result = check(withCustomers('  - external_id: "  "\n    profiles: [""]\n'));
    expect(problemLines(result)).toEqual([
      '15:18  customers[0].external_id  external_id must not be blank',
      '16:16  customers[0].profiles[0]  must not be empty',
    ]);
  });

  it('booleans are true or false (YAML 1.2: yes is a string)', () => {
    const result = check(
      BASE.replace(
        '    token: ${SLACK_APP_TOKEN}',
        '    token: ${SLACK_APP_TOKEN}\n    prevent_destroy: yes',
      ),
    );
    expect(problemLines(result)).toEqual([
      `14:22  profiles["Acme Slack app"].prevent_destroy  expected true or false, got 'yes'`,
    ]);
  });

  it('wrong container types name the expected shape', () => {
    const result = check(yaml`
      version: 1
      profiles:
        - Acme HubSpot OAuth app
      customers:
        external_id: A2300
    `);
    expect(problemLines(result)).toEqual([
      '3:3  profiles  expected a map (key: value lines), got a list',
      `5:3  customers  expected a list (items start with '- '), got a map`,
    ]);
  });

  it('a blank profile name or an empty client_id is refused', () => {
    const result = check(
      BASE.replace('  Acme HubSpot OAuth app:', '  " ":').replace(
        'client_id: "12345.67890"',
        'client_id: ""',
      ),
    );
    expect(problemLines(result)).toEqual([
      '5:3  profiles[" "]  profile name must not be blank',
      '11:16  profiles["Acme Slack app"].client_id  client_id must not be empty',
      // The customer still names the old profile.
      `16:16  customers[0].profiles[0]  unknown profile 'Acme HubSpot OAuth app'`,
    ]);
  });

  it('previous_names is a list of distinct, non-empty names', () => {
    const withPrevious = (value: string) =>
      BASE.replace(
        '    token: ${SLACK_APP_TOKEN}',
        `    token: \${SLACK_APP_TOKEN}\n    previous_names: ${value}`,
      );
    expect(problemLines(check(withPrevious('[Acme Slack, Slack app]')))).toEqual([]);
    expect(problemLines(check(withPrevious('Acme Slack')))).toEqual([
      `14:21  profiles["Acme Slack app"].previous_names  expected a list (items start with '- '), got a string`,
    ]);
    expect(problemLines(check(withPrevious('[Acme Slack, ""]')))).toEqual([
      '14:34  profiles["Acme Slack app"].previous_names[1]  must not be empty',
    ]);
    expect(problemLines(check(withPrevious('[Acme Slack, 12]')))).toEqual([
      '14:34  profiles["Acme Slack app"].previous_names[1]  expected a string, but YAML reads 12 as a number: quote it: "12"',
    ]);
    // uniqueItems reports one repeat per list; the rules report each, with the first's line.
    expect(problemLines(check(withPrevious('[Acme Slack, Slack app, Acme Slack, Acme Slack]')))).toEqual([
      `14:45  profiles["Acme Slack app"].previous_names[2]  previous name 'Acme Slack' is listed twice for this profile (first at line 14, previous_names[0])`,
      `14:57  profiles["Acme Slack app"].previous_names[3]  previous name 'Acme Slack' is listed twice for this profile (first at line 14, previous_names[0])`,
    ]);
  });

  it('an empty value is reported at its key', () => {
    const result = check(BASE.replace('client_id: acme-hubspot-client', 'client_id:'));
    expect(problemLines(result)).toEqual([
      '7:5  profiles["Acme HubSpot OAuth app"].client_id  client_id is empty: expected a string',
    ]);
  });
});

describe('the schema file', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;

  it('is draft 2020-12 with an $id, so editors and ajv agree on it', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof schema['$id']).toBe('string');
  });

  it('lists the same data centers as the API client', () => {
    const workspace = (
      schema['$defs'] as Record<string, { properties: Record<string, { enum?: string[] }> }>
    )['workspace'];
    expect(workspace?.properties['data_center']?.enum).toEqual(Object.keys(DATA_CENTERS));
  });

  it('describes every field, so editors show help on hover', () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, where: string) => {
      if (typeof node !== 'object' || node === null) return;
      const properties = (node as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
      for (const [name, property] of Object.entries(properties)) {
        if (typeof property['description'] !== 'string') undocumented.push(`${where}.${name}`);
      }
      for (const [key, child] of Object.entries(node)) visit(child, `${where}/${key}`);
    };
    visit(schema, '#');
    expect(undocumented).toEqual([]);
  });
});
