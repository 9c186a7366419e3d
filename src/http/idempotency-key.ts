import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../store/db.js';
import { ValidationError } from '../domain/errors.js';
import { jsonRepeats, takeEffectOnce } from './once.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** The draft leaves the time to the server; 24 h covers a client's retries over a bad night. */
export const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60_000;

// An sf-string per the draft ("..."), or the bare form many clients send; printable ASCII, at most 255.
const KEY = /^"?([\x21\x23-\x7e]{1,255})"?$/;

/** The key of a state-changing POST, or null; a malformed key is a 400 naming the header. */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  if (request.method !== 'POST') return null;
  const raw = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (raw === undefined) return null;
  const match = typeof raw === 'string' ? KEY.exec(raw.trim()) : null;
  if (!match)
    throw new ValidationError({
      'Idempotency-Key': 'must be one key of 1 to 255 printable ASCII characters',
    });
  return match[1]!;
}

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header) on every POST of the `/api` scope: the
 * same key with the same request within 24 h gets the first answer again (`Idempotent-Replayed: true`),
 * with another request 422, while the first still runs 409. Keys belong to the caller who sent them.
 */
export function idempotencyKeys(api: FastifyInstance, store: Store): void {
  takeEffectOnce(api, store, {
    keepMs: IDEMPOTENCY_KEEP_MS,
    keyOf(request) {
      const key = idempotencyKeyOf(request);
      return key === null ? null : { scope: `api:${request.actor}`, key };
    },
    repeat: jsonRepeats({
      reused: ['idempotency_key_reused', 'this Idempotency-Key was used for another request; use a new key'],
      inProgress: [
        'idempotency_key_in_progress',
        'a request with this Idempotency-Key is still running; try again when it has finished',
      ],
      replayedHeader: REPLAYED_HEADER,
    }),
  });
}

const KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key and body within 24 h get the first answer again (Idempotent-Replayed: true); another body 422; while the first runs 409',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

/** The OpenAPI paths with the Idempotency-Key header on every POST of the token-protected API (not the signed webhook). */
export function withIdempotencyKeys<T extends Record<string, object>>(paths: T): T {
  const out: Record<string, object> = {};
  for (const [path, operations] of Object.entries(paths)) {
    const post = (operations as { post?: { parameters?: object[] } }).post;
    const keyed = post && path.startsWith('/api/') && !path.startsWith('/api/hooks/');
    out[path] = keyed
      ? { ...operations, post: { ...post, parameters: [...(post.parameters ?? []), KEY_PARAMETER] } }
      : operations;
  }
  return out as T;
}
