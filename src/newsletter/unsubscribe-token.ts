// Signed, URL-safe tokens for the unsubscribe, preferences and web-version links:
//   v1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(key, "v1." + payload))>
// No expiry: an unsubscribe link must keep working for as long as the mail sits in an inbox.
// Several keys may be given to verify (the first signs), so a key can be rotated without breaking links.
import { createHmac, timingSafeEqual } from 'node:crypto';

// `confirm` (double opt-in) names a subscription request instead of a contact; the request carries its
// own expiry (7 days), checked against the database, so that a replayed link finds it confirmed.
export const TOKEN_PURPOSES = ['unsubscribe', 'preferences', 'web', 'confirm'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

export interface TokenClaims {
  purpose: TokenPurpose;
  contactId: string;
  newsletterId?: string | undefined;
  /** A link from a preview or a test message: its page is shown but never acts. */
  preview?: boolean | undefined;
}

interface Payload {
  p: TokenPurpose;
  c: string;
  n?: string;
  x?: 1;
}

const VERSION = 'v1';
export const MIN_KEY_LENGTH = 32;
const MAX_TOKEN_LENGTH = 1024;

function checkKey(key: string): void {
  if (key.length < MIN_KEY_LENGTH)
    throw new Error(`token signing keys must be at least ${MIN_KEY_LENGTH} characters`);
}

function signature(key: string, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

export function signToken(claims: TokenClaims, key: string): string {
  checkKey(key);
  const payload: Payload = {
    p: claims.purpose,
    c: claims.contactId,
    ...(claims.newsletterId ? { n: claims.newsletterId } : {}),
    ...(claims.preview ? { x: 1 as const } : {}),
  };
  const signed = `${VERSION}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${signed}.${signature(key, signed).toString('base64url')}`;
}

/** The claims when the token is intact, signed by one of the keys and for `purpose`; null otherwise. */
export function verifyToken(
  token: string,
  keys: string | readonly string[],
  purpose: TokenPurpose,
): TokenClaims | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const [version, body, mac, ...rest] = token.split('.');
  if (version !== VERSION || !body || !mac || rest.length > 0) return null;
  const given = Buffer.from(mac, 'base64url');
  // Buffer decoding is lenient (skips stray characters, ignores spare bits): accept only the canonical form.
  if (given.toString('base64url') !== mac) return null;
  const signed = `${version}.${body}`;
  const genuine = (Array.isArray(keys) ? keys : [keys]).some((key: string) => {
    checkKey(key);
    const expected = signature(key, signed);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return genuine ? claimsOf(body, purpose) : null;
}

function claimsOf(body: string, purpose: TokenPurpose): TokenClaims | null {
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
    if (payload.p !== purpose || typeof payload.c !== 'string' || payload.c === '') return null;
    if (payload.n !== undefined && typeof payload.n !== 'string') return null;
    if (payload.x !== undefined && payload.x !== 1) return null;
    return {
      purpose: payload.p,
      contactId: payload.c,
      ...(payload.n ? { newsletterId: payload.n } : {}),
      ...(payload.x ? { preview: true } : {}),
    };
  } catch {
    return null;
  }
}

/** `tokenUrl('https://herald.example.org', '/u', token)` -> `https://herald.example.org/u/<token>`. */
export function tokenUrl(baseUrl: string, path: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+|\/+$/g, '')}/${token}`;
}

/** Public routes the links point to (the lead's HTTP layer serves them). */
export const LINK_PATHS = {
  unsubscribe: '/u',
  preferences: '/p',
  web: '/w',
  confirm: '/subscribe/confirm',
} as const;

export interface ContactLinks {
  unsubscribeUrl: string;
  preferencesUrl: string;
  webVersionUrl: string;
}

/** The three signed links of one contact's copy of a newsletter (preview links: for previews and test sends). */
export function contactLinks(options: {
  baseUrl: string;
  key: string;
  contactId: string;
  newsletterId: string;
  preview?: boolean;
}): ContactLinks {
  const { baseUrl, key, contactId, newsletterId, preview } = options;
  const link = (purpose: TokenPurpose, withNewsletter: boolean) =>
    tokenUrl(
      baseUrl,
      LINK_PATHS[purpose],
      signToken(
        { purpose, contactId, ...(withNewsletter ? { newsletterId } : {}), ...(preview ? { preview } : {}) },
        key,
      ),
    );
  return {
    unsubscribeUrl: link('unsubscribe', true),
    preferencesUrl: link('preferences', false),
    webVersionUrl: link('web', true),
  };
}
