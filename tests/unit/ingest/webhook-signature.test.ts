import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, verifySignature } from '../../../src/ingest/webhook-signature.js';

const secret = 'a shared secret';
const body = '{"title":"Café","url":"https://www.example.org/a"}';

describe('webhook signature', () => {
  it('signs as sha256=<hex of HMAC-SHA256 over the raw body>', () => {
    const expected = createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex');
    expect(sign(secret, body)).toBe(`sha256=${expected}`);
    expect(sign(secret, Buffer.from(body))).toBe(`sha256=${expected}`);
  });

  it('accepts a good signature, also in upper-case hex or as a repeated header', () => {
    const header = sign(secret, body);
    expect(verifySignature(secret, body, header)).toBe(true);
    expect(verifySignature(secret, Buffer.from(body), `sha256=${header.slice(7).toUpperCase()}`)).toBe(true);
    expect(verifySignature(secret, body, [header])).toBe(true);
  });

  it('rejects a bad signature: other body, other secret, one changed digit', () => {
    const header = sign(secret, body);
    expect(verifySignature(secret, `${body} `, header)).toBe(false);
    expect(verifySignature('another secret', body, header)).toBe(false);
    const last = header.at(-1) === '0' ? '1' : '0';
    expect(verifySignature(secret, body, header.slice(0, -1) + last)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['without the prefix', sign(secret, body).slice(7)],
    ['with another algorithm', sign(secret, body).replace('sha256=', 'sha1=')],
    ['too short', sign(secret, body).slice(0, -2)],
    ['too long', `${sign(secret, body)}00`],
    ['not hex', `sha256=${'z'.repeat(64)}`],
  ])('rejects a header that is %s', (_name, header) => {
    expect(verifySignature(secret, body, header)).toBe(false);
  });

  it('refuses to work with an empty secret', () => {
    expect(() => verifySignature('', body, sign('x', body))).toThrow(/secret is empty/);
  });
});
