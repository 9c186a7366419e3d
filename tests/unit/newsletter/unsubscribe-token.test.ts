import { describe, expect, it } from 'vitest';
import { contactLinks, signToken, tokenUrl, verifyToken } from '../../../src/newsletter/unsubscribe-token.js';

const KEY = 'k'.repeat(40);
const OLD_KEY = 'o'.repeat(40);

describe('unsubscribe tokens', () => {
  const claims = { purpose: 'unsubscribe' as const, contactId: 'contact-42', newsletterId: 'nl-7' };
  const token = signToken(claims, KEY);

  it('round-trips and is URL-safe', () => {
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(token, KEY, 'unsubscribe')).toEqual(claims);
    expect(
      verifyToken(signToken({ purpose: 'preferences', contactId: 'c1' }, KEY), KEY, 'preferences'),
    ).toEqual({ purpose: 'preferences', contactId: 'c1' });
    expect(tokenUrl('https://herald.example.org/', '/u/', token)).toBe(
      `https://herald.example.org/u/${token}`,
    );
  });

  it('rejects a tampered token', () => {
    const [version, body, mac] = token.split('.') as [string, string, string];
    const otherBody = Buffer.from(JSON.stringify({ p: 'unsubscribe', c: 'contact-43', n: 'nl-7' })).toString(
      'base64url',
    );
    const flipped = mac.slice(0, 10) + (mac[10] === 'A' ? 'B' : 'A') + mac.slice(11);
    for (const bad of [
      `${version}.${otherBody}.${mac}`,
      `${version}.${body}.${flipped}`,
      `${version}.${body}.${mac}x`,
      `${version}.${body}`,
      `v2.${body}.${mac}`,
      `${token}.extra`,
      '',
      'x'.repeat(5000),
    ]) {
      expect(verifyToken(bad, KEY, 'unsubscribe'), bad.slice(0, 60)).toBeNull();
    }
  });

  it('rejects a token signed with another key, or for another purpose', () => {
    expect(verifyToken(token, OLD_KEY, 'unsubscribe')).toBeNull();
    expect(verifyToken(token, KEY, 'preferences')).toBeNull();
  });

  it('accepts tokens signed with a previous key during a rotation', () => {
    const old = signToken(claims, OLD_KEY);
    expect(verifyToken(old, [KEY, OLD_KEY], 'unsubscribe')).toEqual(claims);
  });

  it('refuses short keys', () => {
    expect(() => signToken(claims, 'short')).toThrow(/at least 32/);
  });

  it('makes the three links of a contact, each only valid for its purpose', () => {
    const links = contactLinks({
      baseUrl: 'https://herald.example.org/',
      key: KEY,
      contactId: 'c1',
      newsletterId: 'nl-2',
    });
    const tokenOf = (url: string, path: string) => {
      expect(url.startsWith(`https://herald.example.org${path}/`)).toBe(true);
      return url.slice(url.lastIndexOf('/') + 1);
    };
    const unsubscribe = tokenOf(links.unsubscribeUrl, '/u');
    expect(verifyToken(unsubscribe, KEY, 'unsubscribe')).toEqual({
      purpose: 'unsubscribe',
      contactId: 'c1',
      newsletterId: 'nl-2',
    });
    expect(verifyToken(tokenOf(links.preferencesUrl, '/p'), KEY, 'preferences')).toEqual({
      purpose: 'preferences',
      contactId: 'c1',
    });
    expect(verifyToken(tokenOf(links.webVersionUrl, '/w'), KEY, 'web')).toMatchObject({
      newsletterId: 'nl-2',
    });
    expect(verifyToken(tokenOf(links.webVersionUrl, '/w'), KEY, 'unsubscribe')).toBeNull();
  });
});
