/**
 * `workato-oauth drift`: has Workato changed since the last apply? Compares the
 * live profiles with the state, not with the config, so a config merged but not
 * yet applied is not drift. Read-only, one listing of the profiles, no config
 * and no secrets: the workspace comes from the state (flags and environment may
 * name it too, and must agree).
 */
import { resolve } from 'node:path';
import { EXIT_CHANGES, EXIT_OK, StateError } from '../errors.js';
import type { Io } from '../io.js';
import { findDrift } from '../plan/drift.js';
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from '../render/drift.js';
import { checkStateWorkspace } from '../state/store.js';
import { type ConnectionFlags, connect } from '../workflow/plan.js';
import { describeNoState, openStateBackend } from '../workflow/state-backend.js';
import { appendStepSummary } from './github.js';

export interface DriftOptions extends ConnectionFlags {
  file: string;
  state?: string;
  format: 'text' | 'markdown' | 'json';
}

export async function runDrift(options: DriftOptions, io: Io): Promise<number> {
  const backend = await openStateBackend(options.state, resolve(io.cwd, options.file), io, options.file);
  const statePath = backend.location;
  const found = await backend.read();
  if (found === undefined) {
    throw new StateError(
      `${describeNoState(backend)}: drift compares Workato with what apply recorded there (pass --state, or apply first)`,
    );
  }
  const state = found.state;
  // The state names its workspace; flags and environment may too, and must agree.
  const client = connect(options, { apiUrl: state.workspace }, io);
  const baseUrl = client.baseUrl;
  try {
    checkStateWorkspace(state, baseUrl, statePath);
    const report = findDrift(state, await client.listProfiles());
    const context = { workspace: baseUrl, statePath };
    await appendStepSummary(io, () => renderDriftMarkdown(report, context));
    io.out(
      options.format === 'json'
        ? renderDriftJson(report, context)
        : options.format === 'markdown'
          ? renderDriftMarkdown(report, context)
          : renderDriftText(report, context, { color: io.color }),
    );
    return report.findings.length > 0 ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await client.close();
  }
}
