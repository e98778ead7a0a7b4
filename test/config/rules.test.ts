// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { check, problemLines, SECRETS, withCustomers, yaml } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

describe('duplicate keys', () => {
  it('are positioned at the repeat and name the line of the first, at any depth', async () => {
    const result = await loadConfig(fixture('duplicate-keys.yaml'), SECRETS);
    expect(result.desired).toBeUndefined();
    expect(problemLines(result)).toEqual([
      `7:5  profiles["Acme HubSpot OAuth app"].client_id  duplicate key 'client_id' (first at line 5)`,
      `13:3  profiles["Acme HubSpot OAuth app"]  duplicate key 'Acme HubSpot OAuth app' (first at line 3)`,
      `18:1  customers  duplicate key 'customers' (first at line 17)`,
    ]);
  });

  it('count after interpolation: two names that become the same are one name twice', () => {
    const result = check(
      yaml`
        version: 1
        profiles:
          \${BRAND} app: { provider: hubspot, client_id: a, client_secret: "\${A}" }
          Acme app: { provider: zoom, client_id: b, client_secret: "\${B}" }
        customers: []
      `,
      { BRAND: 'Acme' },
    );
    expect(problemLines(result)).toEqual([
      `4:3  profiles["Acme app"]  duplicate key 'Acme app' (first at line 3)`,
    ]);
  });
});

describe('customers', () => {
  it('listed twice (by external id or by id) point at the repeat and name the first', () => {
    const result = check(
      withCustomers(yaml`
        - external_id: A2300
          profiles: []
        - id: 4567
          profiles: []
        - external_id: A2300
          profiles: []
        - id: 4567
          profiles: []
        - external_id: "4567"
          profiles: []
      `),
    );
    expect(problemLines(result)).toEqual([
      `19:16  customers[2].external_id  customer external_id 'A2300' is listed twice (first at line 15, customers[0]): merge the two entries`,
      '21:7  customers[3].id  customer id 4567 is listed twice (first at line 17, customers[1]): merge the two entries',
    ]);
  });

  it('referencing an unknown profile get the closest name suggested', () => {
    const result = check(
      withCustomers(yaml`
        - external_id: A2300
          profiles:
            - Acme Slack app
            - Acme Hubspot app
            - Something else entirely
      `),
    );
    expect(problemLines(result)).toEqual([
      `18:7  customers[0].profiles[1]  unknown profile 'Acme Hubspot app' (did you mean 'Acme HubSpot OAuth app'?)`,
      `19:7  customers[0].profiles[2]  unknown profile 'Something else entirely'`,
    ]);
  });

  it('holding two profiles of one provider is an error naming both', () => {
    const text = yaml`
      version: 1
      profiles:
        Acme HubSpot OAuth app:
          provider: hubspot
          client_id: a
          client_secret: \${HUBSPOT_CLIENT_SECRET}
        Acme HubSpot Europe app:
          provider: hubspot
          client_id: b
          client_secret: \${HUBSPOT_CLIENT_SECRET}
      customers:
        - id: 1
          profiles: [Acme HubSpot OAuth app, Acme HubSpot Europe app]
        - id: 2
          profiles: [Acme HubSpot Europe app]
    `;
    expect(problemLines(check(text))).toEqual([
      `13:40  customers[0].profiles[1]  two hubspot profiles for one customer: 'Acme HubSpot OAuth app' (profiles[0]) and 'Acme HubSpot Europe app'; Workato allows one profile per application`,
    ]);
  });

  it('listing one profile twice is reported at the repeat, once per repeat', () => {
    const result = check(
      withCustomers(yaml`
        - external_id: A2300
          profiles:
            - Acme Slack app
            - Acme Slack app
            - Acme Slack app
      `),
    );
    expect(problemLines(result)).toEqual([
      `18:7  customers[0].profiles[1]  profile 'Acme Slack app' is listed twice for this customer (first at line 17, profiles[0])`,
      `19:7  customers[0].profiles[2]  profile 'Acme Slack app' is listed twice for this customer (first at line 17, profiles[0])`,
    ]);
  });
});

describe('providers', () => {
  it('an unknown provider is a warning, with the closest known one when close', () => {
    const result = check(yaml`
      version: 1
      profiles:
        A: { provider: salesfroce, client_id: a, client_secret: "\${A}" }
        B: { provider: acme_crm, client_id: b, client_secret: "\${B}" }
      customers: []
    `);
    expect(result.desired).toBeDefined();
    expect(problemLines(result)).toEqual([
      `3:18  profiles.A.provider  warning: unknown provider 'salesfroce' (did you mean 'salesforce'?)`,
      `4:18  profiles.B.provider  warning: unknown provider 'acme_crm': not one this tool knows, check the spelling (Workato rejects providers it does not have)`,
    ]);
  });

  it('slack without token, and token on another provider, are warnings', () => {
    const result = check(yaml`
      version: 1
      profiles:
        Acme Slack app:
          provider: slack
          client_id: "1.2"
          client_secret: \${SLACK_CLIENT_SECRET}
        Acme Zoom app:
          provider: zoom
          client_id: z
          client_secret: \${ZOOM_CLIENT_SECRET}
          token: \${ZOOM_TOKEN}
      customers: []
    `);
    expect(result.desired?.profiles[1]?.token).toEqual({ known: false, ref: 'ZOOM_TOKEN' });
    expect(problemLines(result)).toEqual([
      '4:5  profiles["Acme Slack app"].token  warning: slack profiles usually need token (the Slack app token), e.g. token: ${SLACK_APP_TOKEN}',
      '11:5  profiles["Acme Zoom app"].token  warning: token is used by slack profiles only, not by zoom',
    ]);
  });
});

describe('previous names', () => {
  it("the profile's own name is an error at the entry", () => {
    const result = check(yaml`
      version: 1
      profiles:
        Acme HubSpot:
          provider: hubspot
          client_id: a
          client_secret: \${HUBSPOT_CLIENT_SECRET}
          previous_names:
            - Acme HubSpot OAuth app
            - Acme HubSpot
      customers: []
    `);
    expect(problemLines(result)).toEqual([
      `9:9  profiles["Acme HubSpot"].previous_names[1]  previous name 'Acme HubSpot' is this profile's own name: remove it`,
    ]);
  });

  it('the name of another profile in the file is an error naming its line', () => {
    const result = check(yaml`
      version: 1
      profiles:
        Acme HubSpot:
          provider: hubspot
          client_id: a
          client_secret: \${HUBSPOT_CLIENT_SECRET}
        Acme HubSpot (prod):
          provider: hubspot
          client_id: b
          client_secret: \${HUBSPOT_CLIENT_SECRET}
          previous_names: [Acme HubSpot]
      customers: []
    `);
    expect(problemLines(result)).toEqual([
      `11:22  profiles["Acme HubSpot (prod)"].previous_names[0]  previous name 'Acme HubSpot' is still the name of a profile in this file (line 3): remove that profile to rename it into this one, or remove this entry`,
    ]);
  });

  it('one previous name listed by two profiles is an error at the second, naming both', () => {
    const result = check(yaml`
      version: 1
      profiles:
        Acme HubSpot US:
          provider: hubspot
          client_id: a
          client_secret: \${HUBSPOT_CLIENT_SECRET}
          previous_names: [Acme HubSpot]
        Acme HubSpot EU:
          provider: hubspot
          client_id: b
          client_secret: \${HUBSPOT_CLIENT_SECRET}
          previous_names:
            - Old EU app
            - Acme HubSpot
        Acme HubSpot JP:
          provider: hubspot
          client_id: c
          client_secret: \${HUBSPOT_CLIENT_SECRET}
          previous_names: [Acme HubSpot]
      customers: []
    `);
    expect(problemLines(result)).toEqual([
      `14:9  profiles["Acme HubSpot EU"].previous_names[1]  previous name 'Acme HubSpot' is listed by two profiles, 'Acme HubSpot US' (line 7) and 'Acme HubSpot EU': an old profile can become only one of them, keep the name in one list`,
      `19:22  profiles["Acme HubSpot JP"].previous_names[0]  previous name 'Acme HubSpot' is listed by two profiles, 'Acme HubSpot US' (line 7) and 'Acme HubSpot JP': an old profile can become only one of them, keep the name in one list`,
    ]);
  });

  it('are compared after interpolation, and each entry is reported once', () => {
    const result = check(
      yaml`
        version: 1
        profiles:
          Acme app:
            provider: hubspot
            client_id: a
            client_secret: \${HUBSPOT_CLIENT_SECRET}
            previous_names: ["\${BRAND} app", Zoom app]
          Zoom app:
            provider: zoom
            client_id: b
            client_secret: \${ZOOM_CLIENT_SECRET}
            previous_names: [Acme app]
        customers: []
      `,
      { BRAND: 'Acme' },
    );
    // 'Zoom app' in the first profile is another profile's name, so it is not also "listed by two".
    expect(problemLines(result)).toEqual([
      `7:22  profiles["Acme app"].previous_names[0]  previous name 'Acme app' is this profile's own name: remove it`,
      `7:38  profiles["Acme app"].previous_names[1]  previous name 'Zoom app' is still the name of a profile in this file (line 8): remove that profile to rename it into this one, or remove this entry`,
      `12:22  profiles["Zoom app"].previous_names[0]  previous name 'Acme app' is still the name of a profile in this file (line 3): remove that profile to rename it into this one, or remove this entry`,
    ]);
  });
});
