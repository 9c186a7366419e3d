// VERP return path: each message's envelope sender is `bounces+<token>@domain`, where the token names
// the recipient row (so the newsletter and the contact) and carries an HMAC, so a bounce names its
// recipient even when the delivery report does not, and nobody can forge one for another address.
//   token = <recipient uuid, 32 hex> <first 8 bytes of HMAC-SHA256(key, "verp1.<recipient id>"), 16 hex>
// Lowercase hex only: some mail servers lowercase local parts. 8 + 48 characters fit RFC 5321's 64.
import { createHmac, timingSafeEqual } from 'node:crypto';

const RECIPIENT = /^nlr_([0-9a-f]{32})$/;
const TOKEN = /^([0-9a-f]{32})([0-9a-f]{16})$/;
const MAX_LOCAL_PART = 64;

function mac(key: string, recipientId: string): Buffer {
  return createHmac('sha256', key).update(`verp1.${recipientId}`).digest().subarray(0, 8);
}

export function verpToken(recipientId: string, key: string): string {
  const match = RECIPIENT.exec(recipientId);
  if (!match) throw new Error(`VERP tokens name recipient rows (nlr_<32 hex>), not "${recipientId}"`);
  return `${match[1]}${mac(key, recipientId).toString('hex')}`;
}

/** The recipient id the token names, when one of the keys signed it; null for anything else. */
export function verifyVerpToken(token: string, keys: readonly string[]): string | null {
  const match = TOKEN.exec(token.toLowerCase());
  if (!match) return null;
  const recipientId = `nlr_${match[1]}`;
  const given = Buffer.from(match[2]!, 'hex');
  return keys.some((key) => timingSafeEqual(given, mac(key, recipientId))) ? recipientId : null;
}

/** `bounces@alliance.example` + token -> `bounces+<token>@alliance.example`. */
export function verpAddress(bounceAddress: string, token: string): string {
  const at = bounceAddress.lastIndexOf('@');
  const local = `${bounceAddress.slice(0, at)}+${token}`;
  if (at <= 0 || local.length > MAX_LOCAL_PART)
    throw new Error(
      `bounce address "${bounceAddress}" leaves no room for a VERP token (local part at most ${MAX_LOCAL_PART - 49} characters)`,
    );
  return `${local}${bounceAddress.slice(at)}`;
}

/**
 * The token in an address made by verpAddress for this bounce address (any case), else null:
 * `Bounces+abc…@Alliance.example` -> `abc…`.
 */
export function verpTokenOf(address: string, bounceAddress: string): string | null {
  const at = bounceAddress.lastIndexOf('@');
  const local = bounceAddress.slice(0, at).toLowerCase();
  const domain = bounceAddress.slice(at + 1).toLowerCase();
  const candidate = address.trim().replace(/^<|>$/g, '').toLowerCase();
  const cut = candidate.lastIndexOf('@');
  if (cut <= 0 || candidate.slice(cut + 1) !== domain) return null;
  const prefix = `${local}+`;
  const left = candidate.slice(0, cut);
  return left.startsWith(prefix) ? left.slice(prefix.length) : null;
}

/** Gmail's feedback loop: `<newsletter>:<kind>:<list>:herald` (each part without ':'). */
export function feedbackId(newsletterId: string, kind: string, listId: string): string {
  return [newsletterId, kind, listId, 'herald'].map((part) => part.replaceAll(':', '')).join(':');
}

export function parseFeedbackId(
  value: string,
): { newsletterId: string; kind: string; listId: string } | null {
  const parts = value.trim().split(':');
  if (parts.length !== 4 || parts[3] !== 'herald' || !parts[0]) return null;
  return { newsletterId: parts[0], kind: parts[1] ?? '', listId: parts[2] ?? '' };
}
