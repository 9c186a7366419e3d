import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures for the CMS webhook (`POST /api/hooks/publish`): HMAC-SHA256 of the raw request body
 * (the exact bytes received, before any JSON parsing) with the shared secret, sent as
 * `X-Herald-Signature: sha256=<64 lowercase hex digits>` (the scheme GitHub webhooks use).
 */
export const SIGNATURE_HEADER = 'x-herald-signature';

const PREFIX = 'sha256=';

/** The header value for `rawBody`. */
export function sign(secret: string, rawBody: string | Uint8Array): string {
  return PREFIX + hmac(secret, rawBody).toString('hex');
}

/** True only for a well-formed header carrying the right HMAC; compared in constant time. */
export function verifySignature(
  secret: string,
  rawBody: string | Uint8Array,
  header: string | string[] | null | undefined,
): boolean {
  const expected = hmac(secret, rawBody);
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || !value.toLowerCase().startsWith(PREFIX)) return false;
  const hex = value.slice(PREFIX.length).trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false; // also keeps timingSafeEqual's lengths equal
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

function hmac(secret: string, rawBody: string | Uint8Array): Buffer {
  if (secret.length === 0) throw new Error('the webhook secret is empty: configure one');
  return createHmac('sha256', secret).update(rawBody).digest();
}
