import { HeraldError } from '../../domain/errors.js';
import { apiAddress, jsonBodyOf, withTimeLimit } from '../http-json.js';

/** Mastodon has no central server: this is only the default when an account names no instance. */
export const DEFAULT_MASTODON_URL = 'https://mastodon.social';

/** What the X-RateLimit-* headers said (Reset is an ISO 8601 date). */
export interface RateLimitHeaders {
  remaining: number | null;
  reset: Date | null;
}

/**
 * A failed Mastodon call. Holds only what is safe to keep: the status, Mastodon's `error` text and the rate
 * limit headers, never the request (its Authorization header carries the token).
 */
export class MastodonApiError extends HeraldError {
  constructor(
    readonly status: number,
    readonly apiError: string | null,
    readonly rateLimit: RateLimitHeaders,
  ) {
    super(`Mastodon API error (HTTP ${status})`, { code: 'mastodon_api_error', httpStatus: 502 });
  }
}

export interface MastodonConnection {
  /** The instance, e.g. https://social.example.eu */
  instanceUrl: string;
  accessToken: string;
  timeoutMs: number;
}

export interface MastodonRequest {
  query?: Record<string, string> | undefined;
  json?: unknown;
  form?: FormData | undefined;
  /** Sent as `Idempotency-Key` (POST /api/v1/statuses keeps it an hour and answers the first status). */
  idempotencyKey?: string | undefined;
}

export interface MastodonAnswer<T> {
  status: number;
  body: T;
  rateLimit: RateLimitHeaders;
}

function rateLimitOf(headers: Headers): RateLimitHeaders {
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset');
  const resetAt = reset ? new Date(reset) : null;
  return {
    remaining: remaining !== null && Number.isFinite(Number(remaining)) ? Number(remaining) : null,
    reset: resetAt && !Number.isNaN(resetAt.getTime()) ? resetAt : null,
  };
}

/** One REST call with the bearer token; JSON answer; errors as MastodonApiError. */
export async function mastodonRequest<T>(
  connection: MastodonConnection,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  request: MastodonRequest = {},
): Promise<MastodonAnswer<T>> {
  const url = apiAddress(connection.instanceUrl, path, request.query);
  const headers: Record<string, string> = { authorization: `Bearer ${connection.accessToken}` };
  if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
  const init: RequestInit = { method, headers };
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(request.json);
  } else if (request.form) {
    init.body = request.form;
  }
  const { response, body } = await withTimeLimit(connection.timeoutMs, async (signal) => {
    const answer = await fetch(url, { ...init, signal });
    return { response: answer, body: await jsonBodyOf(answer) };
  });
  const rateLimit = rateLimitOf(response.headers);
  if (!response.ok) {
    const error = (body as { error?: unknown } | null)?.error;
    throw new MastodonApiError(response.status, typeof error === 'string' ? error : null, rateLimit);
  }
  return { status: response.status, body: body as T, rateLimit };
}
