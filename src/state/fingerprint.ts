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
const SALT_LENGTH = 16;

/**
 * The only fingerprints this tool reads: its own parameters, a 16-byte salt and a
 * 32-byte hash. Other parameters are refused before any hashing, so a hand-edited
 * `scrypt$16384$8$200$...` cannot make plan or apply spend minutes of CPU.
 * schemas/state.schema.json holds the same pattern (a test keeps them equal).
 */
export const FINGERPRINT_PATTERN = new RegExp(
  `^scrypt\\$${N}\\$${R}\\$${P}\\$${base64urlOf(SALT_LENGTH)}\\$${base64urlOf(KEY_LENGTH)}$`,
);

/** A base64url string (no padding) of exactly `bytes` bytes. */
function base64urlOf(bytes: number): string {
  return `[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}`;
}

function derive(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function fingerprintSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(secret, salt);
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * True when `secret` is the one `fingerprint` was made from. A malformed fingerprint,
 * or one with other scrypt parameters than this tool's, never matches.
 */
export async function matchesFingerprint(secret: string, fingerprint: string): Promise<boolean> {
  if (!FINGERPRINT_PATTERN.test(fingerprint)) return false;
  const parts = fingerprint.split('$');
  const expected = Buffer.from(parts[5]!, 'base64url');
  const actual = await derive(secret, Buffer.from(parts[4]!, 'base64url'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
