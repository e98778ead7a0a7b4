/** Configs the rows apply besides the shipped example. */

/** The example changed: a profile added, one deleted, assignments swapped and removed. */
export const CONFIG_V2 = `version: 1
profiles:
  Acme HubSpot OAuth app:
    provider: hubspot
    client_id: acme-hubspot-client
    client_secret: \${HUBSPOT_CLIENT_SECRET}
  Acme HubSpot EU app:
    provider: hubspot
    client_id: acme-hubspot-eu-client
    client_secret: \${HUBSPOT_CLIENT_SECRET}
  Acme Salesforce app:
    provider: salesforce
    client_id: 3MVG9acme.salesforce
    client_secret: \${SALESFORCE_CLIENT_SECRET}
    prevent_destroy: true
  Acme Slack app:
    provider: slack
    client_id: "12345.67890-v2"
    client_secret: \${SLACK_CLIENT_SECRET}
    token: \${SLACK_APP_TOKEN}
customers:
  - external_id: A2300
    profiles: [Acme HubSpot EU app, Acme Slack app]
  - external_id: A2301
    profiles: [Acme HubSpot EU app, Acme Salesforce app]
  - external_id: B 17/02
    profiles: [Acme HubSpot OAuth app]
  - external_id: A2304
    profiles: [Acme HubSpot OAuth app]
  - external_id: A2305
    profiles: [Acme Slack app]
  - external_id: A2306
    profiles: [Acme Salesforce app, Acme Slack app]
  - external_id: A2307
    profiles: [Acme HubSpot OAuth app]
    force_unassign: true
  - external_id: A2308
    profiles: []
  - id: 4567
    profiles: [Acme HubSpot OAuth app]
  - id: 4568
    profiles: [Acme Salesforce app, Acme Slack app]
  - id: 4569
    profiles: []
    force_unassign: true
`;

/** Two profiles and four customers: the rows that only need some calls to fail run on it, quickly. */
export const CONFIG_SMALL = `version: 1
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
  - external_id: A2301
    profiles: [Acme HubSpot OAuth app]
  - external_id: B 17/02
    profiles: [Acme Slack app]
  - id: 4567
    profiles: [Acme HubSpot OAuth app]
`;

/** A second config in the same folder and workspace: its own profile and customer. */
export const CONFIG_STAGING = `version: 1
profiles:
  Staging HubSpot app:
    provider: hubspot
    client_id: staging-hubspot-client
    client_secret: \${HUBSPOT_CLIENT_SECRET}
customers:
  - external_id: H4572
    profiles: [Staging HubSpot app]
`;
