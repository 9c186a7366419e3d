import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// scrypt with OWASP's "N=2^15, r=8, p=3" setting (32 MiB per hash; equivalent to N=2^17, p=1 in work).
// The parameters are stored with each hash, so raising them later only needs `needsRehash`.
const DEFAULT = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 64;
const SALT_BYTES = 16;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$salt$hash` (salt and hash base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, DEFAULT);
  return `scrypt$${DEFAULT.N}$${DEFAULT.r}$${DEFAULT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Timing-safe check of a password against a stored hash; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const params = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  const expected = Buffer.from(m[5]!, 'base64url');
  if (expected.length !== KEY_LENGTH || params.N > 2 ** 20 || params.r > 32 || params.p > 16) return false;
  const key = await derive(password, Buffer.from(m[4]!, 'base64url'), params);
  return timingSafeEqual(key, expected);
}

export function needsRehash(stored: string): boolean {
  const m = FORMAT.exec(stored);
  return !m || Number(m[1]) < DEFAULT.N || Number(m[2]) < DEFAULT.r || Number(m[3]) < DEFAULT.p;
}

let dummy: Promise<string> | undefined;
/**
 * A hash to verify against when the email is unknown, so that "no such user" takes as long as
 * "wrong password" and does not reveal which addresses have accounts.
 */
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(18).toString('base64url')));
}
