import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Salted slow-hash fingerprints of secrets, so the state and plan files can tell
 * whether a secret changed without ever holding it. scrypt with a random salt per
 * fingerprint: a leaked state file does not let anyone test guesses cheaply, and
 * two states holding the same secret do not show it.
 *
 * Format: `scrypt$N$r$p$<salt base64url>$<hash base64url>`.
 */
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function fingerprintSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** True when `secret` is the one `fingerprint` was made from. A malformed fingerprint never matches. */
export async function matchesFingerprint(secret: string, fingerprint: string): Promise<boolean> {
  const parts = fingerprint.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((v) => Number.isInteger(v) && v > 0)) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  const actual = await derive(secret, Buffer.from(parts[4]!, 'base64url'), n, r, p);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
