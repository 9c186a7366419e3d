import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';
import type { Store } from '../store/db.js';
import {
  claimRequestKey,
  completeRequestKey,
  releaseRequestKey,
  type Claim,
  type RequestKey,
  type StoredResponse,
} from '../store/request-keys.js';

/** How one kind of request names itself so that it takes effect once (API key, form token, webhook id). */
export interface OncePolicy {
  /** The request's scope and key, or null when it carries none (it then runs as usual). May throw a ValidationError. */
  keyOf(request: FastifyRequest): Omit<RequestKey, 'fingerprint'> | null;
  /** How long the first answer is kept for repeats (per request where some answers must not stay long). */
  keepMs: number | ((request: FastifyRequest) => number);
  /** What must be the same for a repeat to get the first answer (default: method, URL and body). */
  fingerprint?(request: FastifyRequest): string;
  /** A repeat that arrives while the first still runs waits this long for its answer (default: none, 409 at once). */
  waitMs?: number;
  /** Answers a repeat: the key is in use, was used for another request, or has an answer to give again. */
  repeat(reply: FastifyReply, claim: Exclude<Claim, { kind: 'claimed' }>): FastifyReply;
}

/** Headers of the first answer a repeat gets again (never cookies). */
const KEPT_HEADERS = ['content-type', 'location'];

/** What a request asks for: method, URL and body, hashed. */
export function requestFingerprint(request: FastifyRequest): string {
  const body = request.body;
  const bytes =
    body === undefined || body === null
      ? ''
      : Buffer.isBuffer(body) || typeof body === 'string'
        ? body
        : JSON.stringify(body);
  return createHash('sha256').update(`${request.method} ${request.url}\n`).update(bytes).digest('base64url');
}

/**
 * Makes the routes of `app`'s scope take effect once per key: the first request claims its key in SQL
 * before its handler runs, and its answer is kept; a repeat gets `policy.repeat` and runs nothing.
 * An answer of 5xx (or one that cannot be kept) frees the key, so the caller may try again.
 */
export function takeEffectOnce(app: FastifyInstance, store: Store, policy: OncePolicy): void {
  const claimed = new WeakMap<FastifyRequest, Omit<RequestKey, 'fingerprint'>>();

  app.addHook('preHandler', async (request, reply) => {
    const key = policy.keyOf(request);
    if (!key) return;
    const fingerprint = (policy.fingerprint ?? requestFingerprint)(request);
    const claim = await claimOrWait(store, { ...key, fingerprint }, policy.waitMs ?? 0);
    if (claim.kind === 'claimed') {
      claimed.set(request, key);
      return;
    }
    return policy.repeat(reply, claim);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const key = claimed.get(request);
    if (!key) return payload;
    claimed.delete(request);
    const body =
      typeof payload === 'string'
        ? payload
        : Buffer.isBuffer(payload)
          ? payload.toString('utf8')
          : payload == null
            ? ''
            : null;
    try {
      if (reply.statusCode >= 500 || body === null) await releaseRequestKey(store.db, key);
      else
        await completeRequestKey(
          store.db,
          key,
          { status: reply.statusCode, headers: keptHeaders(reply), body },
          typeof policy.keepMs === 'function' ? policy.keepMs(request) : policy.keepMs,
        );
    } catch (error) {
      // The answer still goes out; the key stays claimed until IN_PROGRESS_MS and repeats get 409 meanwhile.
      request.log.warn({ err: (error as Error).message }, 'could not record the answer of a request key');
    }
    return payload;
  });
}

const WAIT_STEP_MS = 100;

async function claimOrWait(store: Store, key: RequestKey, waitMs: number): Promise<Claim> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const claim = await claimRequestKey(store.db, key);
    if (claim.kind !== 'in_progress' || Date.now() >= deadline) return claim;
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
}

function keptHeaders(reply: FastifyReply): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) kept[name] = String(value);
  }
  return kept;
}

/** Gives a repeat the first answer again. */
export function replay(
  reply: FastifyReply,
  response: StoredResponse,
  status = response.status,
): FastifyReply {
  return reply.code(status).headers(response.headers).send(response.body);
}

/** How a JSON API answers repeats: 422 and 409 with these codes and messages, else the first answer marked replayed. */
export function jsonRepeats(words: {
  reused: [code: string, message: string];
  inProgress: [code: string, message: string];
  replayedHeader: string;
  /** The status a replayed success gets (default: the first one's). */
  successStatus?: number;
}): OncePolicy['repeat'] {
  return (reply, claim) => {
    if (claim.kind === 'other_request') return sendError(reply, 422, ...words.reused);
    if (claim.kind === 'in_progress') return sendError(reply, 409, ...words.inProgress);
    const { status } = claim.response;
    return replay(
      reply.header(words.replayedHeader, 'true'),
      claim.response,
      status < 300 ? (words.successStatus ?? status) : status,
    );
  };
}
