import { createHash } from 'node:crypto';

const ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';
/** A TID: 13 characters of base32-sortable, the first of which leaves the top bit 0. */
export const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

/**
 * The record key of one post of a delivery: a valid TID (53 bits of microseconds since the epoch, 10 bits of
 * clock id), the same in every attempt and process. The time is the delivery's creation (stable, and close to
 * when the post goes out, as Bluesky expects of a post's key); the sub-millisecond digits and the clock id
 * come from a hash of the delivery id and the part, so that two deliveries created in the same millisecond
 * still get different keys.
 */
export function deliveryRecordKey(deliveryId: string, createdAt: string, part: number): string {
  const ms = Date.parse(createdAt);
  if (!Number.isFinite(ms)) throw new Error(`delivery ${deliveryId} has no valid creation time`);
  const hash = createHash('sha256').update(`${deliveryId}\u0000${part}`).digest();
  const micros = BigInt(ms) * 1000n + BigInt(hash.readUInt16BE(0) % 1000);
  const clockId = BigInt(hash.readUInt16BE(2) & 0x3ff);
  let value = (micros << 10n) | clockId;
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = ALPHABET[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}
