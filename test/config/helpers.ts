import type { Env } from '../../src/config/interpolate.js';
import { type ConfigResult, parseConfig } from '../../src/config/load.js';

/** Template tag: strips the indentation common to all lines, so line numbers in tests are readable. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  // Cooked strings, so \${ in a test reads as the ${ a user writes.
  const joined = strings.reduce(
    (text, part, i) => text + part + (i < values.length ? String(values[i]) : ''),
    '',
  );
  const text = joined.replace(/^\n/, '');
  const indents = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => /^ */.exec(line)?.[0].length ?? 0);
  const common = Math.min(...indents);
  return text
    .split('\n')
    .map((line) => line.slice(common))
    .join('\n');
}

/** Every problem as `LINE:COL  path  message` (warnings tagged), the way a user reads them. */
export function problemLines(result: ConfigResult): string[] {
  return result.problems.map(
    (p) => `${p.line}:${p.col}  ${p.path}  ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`,
  );
}

export const SECRETS: Env = {
  HUBSPOT_CLIENT_SECRET: 'hubspot-secret-value',
  SLACK_CLIENT_SECRET: 'slack-secret-value',
  SLACK_APP_TOKEN: 'xapp-token-value',
};

/** A valid config to start from; lines 1-16. */
export const BASE = yaml`
  version: 1
  workspace:
    data_center: us
  profiles:
    Acme HubSpot OAuth app:
      provider: hubspot
      client_id: acme-hubspot-client
      client_secret: \${HUBSPOT_CLIENT_SECRET}
    Acme Slack app:
      provider: slack
      client_id: "12345.67890"
      client_secret: \${SLACK_CLIENT_SECRET}
      token: \${SLACK_APP_TOKEN}
  customers:
    - external_id: A2300
      profiles: [Acme HubSpot OAuth app, Acme Slack app]
`;

export function check(text: string, env: Env = SECRETS): ConfigResult {
  return parseConfig(text, 'test.yaml', env);
}

/** BASE's profiles, then the customers given (they start at line 15). */
export function withCustomers(customers: string): string {
  return `${BASE.slice(0, BASE.indexOf('customers:'))}customers:\n${customers}`;
}
