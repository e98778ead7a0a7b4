import { copyFile, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorldDataError } from '../../src/emulator/world-data.js';
import { call, PROFILE_INPUT, start, WORLD } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the data file', () => {
  it('keeps the world across a restart', async () => {
    const dataFile = join(dir, 'world.json');
    const first = await start({ dataFile });
    const created = await call(first, 'POST', '/api/custom_oauth_profiles', { body: PROFILE_INPUT });
    const id = created.json.result.id as number;
    await call(first, 'POST', `/api/managed_users/EA%2023%2F00/custom_oauth_profiles/${id}/assign`);
    const before = await call(first, 'GET', '/api/custom_oauth_profiles');
    await first.close();

    const second = await start({ dataFile, world: { customers: [] } }); // the file wins over `world`
    expect((await call(second, 'GET', '/api/custom_oauth_profiles')).json).toEqual(before.json);
    expect(second.world.heldProfiles({ externalId: 'A 23/00' })).toEqual([id]);
    expect(second.world.storedSecrets(id)).toEqual({ client_secret: 'new_client_secret' });
    // Ids carry on where the first run stopped.
    const next = await call(second, 'POST', '/api/custom_oauth_profiles', { body: PROFILE_INPUT });
    expect(next.json.result.id).toBe(id + 1);
  });

  it('is created at start from `world` when missing, mode 0600, in the documented format', async () => {
    const dataFile = join(dir, 'new.json');
    await start({ dataFile });
    const saved = JSON.parse(await readFile(dataFile, 'utf8'));
    expect(saved).toEqual({
      next_profile_id: 1000,
      customers: [
        { id: 101, external_id: 'A2300', name: 'Acme Customer 1', profiles: [], connections: {} },
        { id: 102, external_id: 'A 23/00', name: 'Acme Customer 2', profiles: [], connections: {} },
        { id: 123, external_id: 'C123', name: 'Customer 123', profiles: [], connections: {} },
      ],
      profiles: [{ ...WORLD.profiles?.[0] }],
    });
    expect((await stat(dataFile)).mode & 0o777).toBe(0o600);
  });

  it('is replaced by rename on every change (atomic), and is valid JSON whenever read', async () => {
    const dataFile = join(dir, 'world.json');
    const emulator = await start({ dataFile });
    // Held open, the original file keeps its inode and its content: a rename
    // replaces the path, an in-place write would change what this handle reads.
    const original = await open(dataFile, 'r');
    const originalText = await readFile(dataFile, 'utf8');
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        JSON.parse(await readFile(dataFile, 'utf8'));
        reads++;
      }
    })();
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        call(emulator, 'POST', '/api/custom_oauth_profiles', { body: { ...PROFILE_INPUT, name: `P${i}` } }),
      ),
    );
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect((await stat(dataFile)).ino).not.toBe((await original.stat()).ino);
    expect(await original.readFile('utf8')).toBe(originalText);
    await original.close();
    const saved = JSON.parse(await readFile(dataFile, 'utf8'));
    expect(saved.profiles).toHaveLength(26);
    expect(saved.next_profile_id).toBe(1025);
    expect(await readdir(dir)).toEqual(['world.json']); // no temp file left behind
  });

  it('is not written for reads or refusals', async () => {
    const dataFile = join(dir, 'world.json');
    const emulator = await start({ dataFile });
    const { mtimeMs, ino } = await stat(dataFile);
    await call(emulator, 'GET', '/api/custom_oauth_profiles');
    await call(emulator, 'DELETE', '/api/managed_users/123/custom_oauth_profiles/320/unassign');
    await call(emulator, 'POST', '/api/custom_oauth_profiles', { body: {} });
    const after = await stat(dataFile);
    expect([after.mtimeMs, after.ino]).toEqual([mtimeMs, ino]);
  });

  it('refuses an invalid file, listing every problem with its place', async () => {
    const dataFile = join(dir, 'bad.json');
    await writeFile(
      dataFile,
      JSON.stringify({
        customers: [
          { id: 1, external_id: 'X', name: 'a', profiles: [5, 6, 9] },
          { id: 1, external_id: 'X', name: '', extra: true },
        ],
        profiles: [
          { id: 5, name: 'a', provider: 'zoom', client_id: 'c', client_secret: 's' },
          { id: 6, name: 'b', provider: 'zoom', client_id: 'c', client_secret: 's' },
          { id: 7, name: 'c', provider: 'zoom', client_id: 'c' },
        ],
        next_profile_id: 3,
      }),
    );
    const error = await start({ dataFile }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorldDataError);
    expect((error as WorldDataError).problems).toEqual([
      'profiles[2].client_secret: must be a non-empty string',
      'customers[0].profiles: profiles 5 and 6 are both for provider zoom (at most one per provider)',
      'customers[0].profiles: profile 9 does not exist',
      'customers[1].extra: unknown field',
      'customers[1].id: duplicate customer id 1',
      'customers[1].external_id: duplicate external id "X"',
      'customers[1].name: must be a non-empty string',
      'next_profile_id: must be greater than every profile id (7)',
    ]);
    expect((error as Error).message).toContain(`${dataFile} is not a valid emulator world:`);
  });

  it('refuses a file that is not JSON, naming it', async () => {
    const dataFile = join(dir, 'broken.json');
    await writeFile(dataFile, '{"customers": [');
    await expect(start({ dataFile })).rejects.toThrow(
      /broken\.json is not a valid emulator world:\n {2}- not valid JSON/,
    );
  });

  it('validates the `world` option the same way', async () => {
    await expect(start({ world: { customers: [{ id: 0, name: 'x' }] } })).rejects.toThrow(
      'the `world` option is not a valid emulator world:\n  - customers[0].id: must be a positive integer',
    );
  });

  it('loads the demo world of examples/', async () => {
    // A copy: the emulator writes changes back to its data file.
    const dataFile = join(dir, 'demo.json');
    await copyFile(join(process.cwd(), 'examples/emulator-world.json'), dataFile);
    const emulator = await start({ dataFile });
    const { json } = await call(emulator, 'GET', '/api/custom_oauth_profiles');
    expect(json.result).toEqual([
      expect.objectContaining({ id: 900, name: 'Legacy Zoom app', provider: 'zoom', oem_customers_count: 1 }),
    ]);
    const customers = (await call(emulator, 'GET', '/api/managed_users')).json.result as {
      external_id: string;
    }[];
    expect(customers.map((c) => c.external_id)).toEqual([
      'A2300',
      'A2301',
      'A2302',
      'B 17/02',
      'A2304',
      'A2305',
      'A2306',
      'A2307',
      'A2308',
      'C4567',
      'C4568',
      'C4569',
      'G4570',
      null,
      'H4572',
    ]);
    expect((await call(emulator, 'GET', '/api/managed_users/EB%2017%2F02')).json.result.id).toBe(104);
  });
});
