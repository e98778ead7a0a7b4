/**
 * `workato-oauth import`: a workspace whose profiles were made by hand, taken
 * under management. Writes a config describing the live profiles (secrets as
 * `${VAR}` references) and records them in the state; sends nothing but one
 * listing of the profiles. Assignments cannot be listed through the API, so the
 * config's customers start empty and `apply --reassert` rebuilds what the state
 * knows of them once they are filled in.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { DEFAULT_RATE_PER_MINUTE } from '../api/pacing.js';
import { EXIT_OK, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { StateBackend } from '../state/backend.js';
import type { StateLock } from '../state/lock.js';
import { checkStateWorkspace, emptyState } from '../state/store.js';
import { importedConfig, importedRecords, selectProfiles } from '../workflow/import.js';
import { type ConnectionFlags, connect } from '../workflow/plan.js';
import { openStateBackend } from '../workflow/state-backend.js';

export interface ImportOptions extends ConnectionFlags {
  file: string;
  writeConfig?: string;
  state?: string;
  names?: string;
  lockTimeout: number;
}

function compileNames(source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UsageError(
      `--names ${JSON.stringify(source)} is not a regular expression: ${(error as Error).message}`,
    );
  }
}

export async function runImport(options: ImportOptions, io: Io): Promise<number> {
  const names = compileNames(options.names);
  const configPath = resolve(io.cwd, options.writeConfig ?? options.file);
  if (existsSync(configPath)) {
    throw new UsageError(
      `${configPath} exists; import writes a new config and never overwrites one: pass --write-config with a new path`,
    );
  }
  const client = connect(options, {}, io);
  const baseUrl = client.baseUrl;
  let backend: StateBackend;
  let lock: StateLock;
  try {
    // The config is written by this command: only --state or the default names the state.
    backend = await openStateBackend(options.state, configPath, io);
    lock = await backend.lock({
      timeoutSeconds: options.lockTimeout,
      operation: 'import',
      onMessage: (line) => io.err(`${line}\n`),
    });
  } catch (error) {
    await client.close();
    throw error;
  }
  const statePath = backend.location;
  try {
    const found = await backend.read();
    if (found) checkStateWorkspace(found.state, baseUrl, statePath);
    const state = found?.state ?? emptyState(baseUrl);
    const selection = selectProfiles(await client.listProfiles(), state, names);
    for (const { profile, reason } of selection.skipped) {
      io.err(`Skipped ${JSON.stringify(profile.name)} (id ${profile.id}): ${reason}.\n`);
    }
    if (selection.taken.length === 0) {
      throw new UsageError(
        `no live profile to import${names ? ` matching --names ${JSON.stringify(options.names)}` : ''}; nothing written`,
      );
    }
    const config = importedConfig(selection.taken, baseUrl, new Date());
    // Exclusive: a file made meanwhile is not replaced.
    await writeFile(configPath, config.text, { flag: 'wx' });
    try {
      Object.assign(state.profiles, importedRecords(selection.taken));
      const next = { ...state, serial: state.serial + 1 };
      await backend.write(
        next,
        found?.version ?? null,
        `workato-oauth import: ${selection.taken.length} profile(s) taken under management`,
      );
    } catch (error) {
      await rm(configPath, { force: true });
      throw error;
    }
    const shown = relative(io.cwd, configPath) || configPath;
    const assignments = selection.taken.reduce((n, p) => n + p.oem_customers_count, 0);
    const lines = [
      `Imported ${selection.taken.length} profile(s) into ${backend.kind === 'local' ? relative(io.cwd, statePath) || statePath : statePath}; wrote ${shown}. Nothing was changed in Workato.`,
      '',
      'Export before apply (secrets cannot be read through the API):',
      ...config.variables.map((name) => `  ${name}`),
      '',
      `Workato counts ${assignments} assignment(s) of these profiles, and its API cannot list which customers hold them.`,
      `Add those customers to ${shown}, then run: workato-oauth apply --reassert -f ${shown}`,
      `(it assigns each again and records it: about ${assignments} call(s), ${Math.ceil(assignments / DEFAULT_RATE_PER_MINUTE)} min at ${DEFAULT_RATE_PER_MINUTE} calls/min).`,
    ];
    io.out(`${lines.join('\n')}\n`);
    return EXIT_OK;
  } finally {
    await lock.release();
    await backend.close?.();
    await client.close();
  }
}
