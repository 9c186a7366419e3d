import { createHmac, randomBytes } from 'node:crypto';

/** A Mailgun webhook call as Mailgun signs it: HMAC-SHA256 of timestamp + token with the signing key. */
export function signedMailgunCall(
  event: Record<string, unknown>,
  key: string,
  timestamp = Math.floor(Date.now() / 1000),
) {
  const token = randomBytes(25).toString('hex');
  const signature = createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');
  return {
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({
      signature: { timestamp: String(timestamp), token, signature },
      'event-data': event,
    }),
  };
}
