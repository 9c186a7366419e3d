import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from '../../../src/domain/password.js';

describe('password hashing (scrypt)', () => {
  it('hashes with a fresh salt each time and verifies only the right password', async () => {
    const [a, b] = await Promise.all([
      hashPassword('correct horse battery'),
      hashPassword('correct horse battery'),
    ]);
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[\w-]{22}\$[\w-]{86}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('treats a password and its Unicode-equivalent spelling as the same', async () => {
    const composed = 'caf\u00e9 au lait ok!';
    const decomposed = 'cafe\u0301 au lait ok!';
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });

  it('refuses malformed or absurd stored hashes instead of throwing or hanging', async () => {
    expect(await verifyPassword('x', 'plain-text-password')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1099511627776$8$1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', `scrypt$16384$8$1$AAAA$${'A'.repeat(10)}`)).toBe(false);
  });

  it('asks for a rehash of weaker parameters', async () => {
    expect(needsRehash(await hashPassword('some password here'))).toBe(false);
    expect(needsRehash(`scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(86)}`)).toBe(true);
    expect(needsRehash('bcrypt$whatever')).toBe(true);
  });
});
