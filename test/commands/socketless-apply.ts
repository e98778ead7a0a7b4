/**
 * An apply of thousands of changes in a second: apply's own steps (planAgainst,
 * the recorder, executePlan) with the real client talking to the emulator in this
 * process without sockets (RunningEmulator.answer), as test/scale does. A CLI
 * apply sends each call over loopback and checks the lock before it, about 5 ms a
 * call on a shared machine: 4,500 assignments take 20-30 s that way, which the
 * tests that need a large workspace applied once do not spend.
 */
import { join } from 'node:path';
import { createClient } from '../../src/api/client.js';
import type { Exchange } from '../../src/api/http.js';
import type { ProfileInput, WorkatoClient } from '../../src/api/types.js';
import { secretValue } from '../../src/apply/checks.js';
import { executePlan } from '../../src/apply/execute.js';
import { StateRecorder } from '../../src/apply/recorder.js';
import type { DesiredProfile } from '../../src/config/types.js';
import type { RunningEmulator } from '../../src/emulator/server.js';
import type { Outcome } from '../../src/plan/types.js';
import { createLocalBackend } from '../../src/state/local-backend.js';
import { planAgainst, readConfig } from '../../src/workflow/plan.js';
import { rememberCustomerListing } from '../../src/workflow/rule-resolution.js';
import { loadState } from '../../src/workflow/state-backend.js';
import { rememberVerifiedCustomers } from '../../src/workflow/verified-customers.js';
import { memoryIo } from '../memory-io.js';

export async function applyWithoutSockets(options: {
  emulator: RunningEmulator;
  token: string;
  dir: string;
  env: Record<string, string>;
}): Promise<Outcome[]> {
  const { emulator, dir } = options;
  const io = memoryIo({ env: { ...options.env, WORKATO_API_URL: emulator.url }, cwd: dir });
  const config = await readConfig(join(dir, 'workato-oauth.yaml'), io);
  const client = socketlessClient(emulator, options.token);
  try {
    const statePath = join(dir, 'workato-oauth.state.json');
    const backend = createLocalBackend(statePath);
    const state = await loadState(backend, emulator.url, { forWriting: true });
    const prepared = await planAgainst(config, client, state, {
      verifyCustomers: true,
      fingerprintChanged: true,
    });
    const recorder = new StateRecorder(backend, state.state, {
      exists: state.exists,
      version: state.version,
    });
    const bookkeeping = structuredClone(recorder.state);
    rememberCustomerListing(bookkeeping, prepared.live.listing);
    rememberVerifiedCustomers(bookkeeping, prepared.live.customers);
    await recorder.commit((s) => Object.assign(s, bookkeeping, { serial: s.serial }));
    const outcomes = await executePlan(prepared.plan, {
      client,
      recorder,
      profileInput: profileInputs(prepared.config.desired.profiles),
      fingerprints: (name) => {
        const checks = prepared.secrets.get(name);
        return checks?.client_secret.fingerprint ? { client_secret: checks.client_secret.fingerprint } : {};
      },
      preventDestroy: () => false,
      customers: Object.fromEntries(prepared.live.customers),
      concurrency: 16,
    });
    await recorder.finish();
    return outcomes;
  } finally {
    await client.close();
  }
}

/** The real client, answered by the emulator in this process without sockets (RunningEmulator.answer). */
export function socketlessClient(emulator: RunningEmulator, token: string): WorkatoClient {
  return createClient({
    baseUrl: emulator.url,
    token,
    // The pacer keeps few slots with a short window.
    ratePerMinute: 200,
    windowMs: 1,
    exchange: async (method, target, body, headers): Promise<Exchange> => {
      const answer = await emulator.answer(method, target, body, headers);
      if (answer === undefined) throw new Error('the emulator reset the connection');
      return {
        ok: true,
        answer: {
          status: answer.status,
          statusText: '',
          headers: new Headers(answer.headers),
          body: answer.body,
          text: undefined,
        },
      };
    },
  });
}

/** What apply sends to create or update each profile of the config (client secret only). */
export function profileInputs(profiles: readonly DesiredProfile[]): (name: string) => ProfileInput {
  const desired = new Map(profiles.map((p) => [p.name, p]));
  return (name) => {
    const profile = desired.get(name)!;
    return {
      name,
      provider: profile.provider,
      data: { client_id: profile.clientId, client_secret: secretValue(profile, 'client_secret') ?? '' },
    };
  };
}
