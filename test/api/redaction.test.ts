import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ProfileInput } from '../../src/api/types.js';
import { api, makeClient, profile, socketError, TOKEN, useNock } from './helpers.js';

useNock();

const SECRET = 'cs-SUPER-SECRET-9d2b"\\x';
const SLACK_TOKEN = 'xoxb-SLACK-TOKEN-77aa';
const INPUT: ProfileInput = {
  name: 'Acme Slack',
  provider: 'slack',
  data: { client_id: 'public-client-id', client_secret: SECRET, token: SLACK_TOKEN },
};
const NEEDLES = [
  TOKEN,
  SECRET,
  SLACK_TOKEN,
  JSON.stringify(SECRET).slice(1, -1),
  encodeURIComponent(SECRET),
  // Fragments long enough to be unmistakable, should a value be cut or re-encoded.
  'SUPER-SECRET',
  'SLACK-TOKEN',
  'API-TOKEN-do-not-leak',
];

/** Every way an error can end up in front of a person or in a log. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [
    String(e),
    e.message,
    e.stack ?? '',
    JSON.stringify(e),
    inspect(e, { depth: 5 }),
    inspect(e, { depth: 5, showHidden: true }),
    e.cause instanceof Error ? `${e.cause.stack}\n${inspect(e.cause, { depth: 5 })}` : '',
  ];
}

describe('redaction', () => {
  it('keeps secrets and the token out of errors and debug lines', async () => {
    api()
      // The server echoes what it was sent, in the message and in the errors map.
      .post('/api/custom_oauth_profiles')
      .reply(400, {
        message: `Invalid secret ${SECRET}`,
        errors: { 'data.client_secret': [`${SECRET} is invalid`], [`data.${SLACK_TOKEN}`]: ['bad key'] },
      })
      // A refusal in a 2xx, echoing the token under JSON escaping.
      .put('/api/custom_oauth_profiles/5')
      .reply(200, { success: false, errors: { base: [`token ${JSON.stringify(SLACK_TOKEN)} rejected`] } })
      // A low-level failure whose message carries the secret, then 5xx pages with the API token.
      .put('/api/custom_oauth_profiles/6')
      .replyWithError(socketError('ECONNRESET', `socket hang up while sending ${SECRET}`))
      .put('/api/custom_oauth_profiles/6')
      .reply(502, `upstream said Authorization: Bearer ${TOKEN}`, { 'content-type': 'text/plain' })
      .put('/api/custom_oauth_profiles/6')
      .reply(503, { message: `Bearer ${TOKEN} throttled` })
      .get('/api/custom_oauth_profiles/7')
      .reply(401, { message: `Token ${TOKEN} is not valid` })
      // An unknown failure is retried; the retries then meet nock's own no-match
      // error, which quotes the request headers, Authorization included: a real
      // cause that carries the token.
      .get('/api/custom_oauth_profiles/8')
      .replyWithError(socketError('EWHATEVER', `odd failure ${TOKEN}`))
      // An ambiguous create whose check then fails too.
      .post('/api/custom_oauth_profiles')
      .replyWithError(socketError('ECONNRESET', `reset ${SECRET}`))
      .get('/api/custom_oauth_profiles')
      .query(true)
      .replyWithError(socketError('ENOTFOUND', `getaddrinfo ENOTFOUND ${TOKEN}`))
      // And calls that succeed.
      .post('/api/custom_oauth_profiles')
      .reply(200, { result: profile(9, { name: 'Acme Slack', provider: 'slack' }) })
      .put('/api/custom_oauth_profiles/9')
      .reply(200, { result: profile(9, { name: 'Acme Slack', provider: 'slack' }) });

    const { client, log } = makeClient({ retry: { maxAttempts: 3 } });
    const errors: unknown[] = [];
    const attempt = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        errors.push(error);
      }
    };
    await attempt(client.createProfile(INPUT));
    await attempt(client.updateProfile(5, INPUT));
    await attempt(client.updateProfile(6, INPUT));
    await attempt(client.getProfile(7));
    await attempt(client.getProfile(8));
    await attempt(client.createProfile(INPUT));
    await client.createProfile(INPUT);
    await client.updateProfile(9, INPUT);

    expect(errors).toHaveLength(6);
    const captured = [...errors.flatMap(renderings), ...log];
    for (const text of captured) {
      for (const needle of NEEDLES) expect(text).not.toContain(needle);
    }
    // The redaction is visible, so the reader knows something was there.
    expect((errors[0] as Error).message).toContain('[redacted]');
    expect((errors[4] as Error).message).toMatch(/authorization": "Bearer \[redacted\]/);
    expect(log.length).toBeGreaterThanOrEqual(9);
  });
});
