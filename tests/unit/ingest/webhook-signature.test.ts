import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../../src/ingest/webhook-signature.js';

// The example of the Standard Webhooks specification and its reference libraries.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  at: new Date(1614265330 * 1000),
  body: '{"test": 2432232314}',
};
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const secret = `whsec_${Buffer.from('a shared secret of 32 bytes!!!!!').toString('base64')}`;
const body = Buffer.from('{"title":"Café","url":"https://www.example.org/a"}');

describe('webhook signature (Standard Webhooks)', () => {
  it('signs v1,<base64 HMAC-SHA256 of "id.timestamp.body" with the secret bytes>, as the specification shows', () => {
    expect(signWebhook(SPEC.secret, SPEC.id, SPEC.body, SPEC.at)).toEqual({
      'webhook-id': SPEC.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': SPEC_SIGNATURE,
    });
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const now = new Date();
    const expected = createHmac('sha256', key)
      .update(`msg_1.${Math.floor(now.getTime() / 1000)}.`)
      .update(body)
      .digest('base64');
    expect(signWebhook(secret, 'msg_1', body, now)['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('accepts a good message and gives its id; several signatures (key rotation) may be sent', () => {
    const headers = signWebhook(secret, 'msg_1', body);
    expect(verifyWebhook(secret, body, headers)).toBe('msg_1');
    expect(
      verifyWebhook(secret, body, {
        ...headers,
        'webhook-signature': `v1,AAAA ${headers['webhook-signature']}`,
      }),
    ).toBe('msg_1');
  });

  it.each([
    ['another body', () => ({ b: Buffer.from(`${body} `), h: signWebhook(secret, 'msg_1', body) })],
    ['another id', () => ({ b: body, h: { ...signWebhook(secret, 'msg_1', body), 'webhook-id': 'msg_2' } })],
    [
      'another timestamp',
      () => ({
        b: body,
        h: {
          ...signWebhook(secret, 'msg_1', body),
          'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 1),
        },
      }),
    ],
    [
      'another secret',
      () => ({
        b: body,
        h: signWebhook(
          `whsec_${Buffer.from('another secret of 32 bytes!!!!!!').toString('base64')}`,
          'msg_1',
          body,
        ),
      }),
    ],
    [
      'a timestamp 6 minutes old',
      () => ({ b: body, h: signWebhook(secret, 'msg_1', body, new Date(Date.now() - 6 * 60_000)) }),
    ],
    [
      'a timestamp 6 minutes ahead',
      () => ({ b: body, h: signWebhook(secret, 'msg_1', body, new Date(Date.now() + 6 * 60_000)) }),
    ],
    [
      'no signature',
      () => ({
        b: body,
        h: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) },
      }),
    ],
    [
      'a timestamp that is no number',
      () => ({ b: body, h: { ...signWebhook(secret, 'msg_1', body), 'webhook-timestamp': '1e9' } }),
    ],
    [
      'repeated headers',
      () => ({ b: body, h: { ...signWebhook(secret, 'msg_1', body), 'webhook-id': ['msg_1', 'msg_1'] } }),
    ],
  ])('refuses %s', (_name, make) => {
    const { b, h } = make();
    expect(verifyWebhook(secret, b, h as Record<string, string>)).toBeNull();
  });
});
