import type { ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import type { ErrorClass } from '../../domain/delivery-outcome.js';
import { ChannelError } from '../adapter.js';
import { networkProblem } from '../network-errors.js';
import { creditsDepleted, platformTrouble, rateLimited, requestRefused } from '../error-classes.js';
import { platformDetail } from '../redact.js';
import { saneRetryAt } from '../../domain/plain-time.js';
import { twitterApi } from './library.js';

/** When Twitter says "rate limited" without saying until when. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 15 * 60_000;

/** X's pay-per-use answer when the app's prepaid credits ran out (body title "CreditsDepleted"). */
const HTTP_PAYMENT_REQUIRED = 402;
const CODE_DUPLICATE = 187;
const CODE_TOO_LONG = 186;
/** v1 codes meaning the app or account may not do this: a person must act (permissions, suspension). */
const ACCESS_CODES = new Set([64, 261, 326, 453, 416]);

interface TwitterErrorBody {
  title?: string;
  detail?: string;
  type?: string;
  error_description?: string;
  errors?: Array<{ code?: number; message?: string }>;
}

/** Everything the body says, lower-cased, to look for words such as "duplicate". */
function wordsOf(body: TwitterErrorBody | undefined): string {
  if (!body || typeof body !== 'object') return '';
  const messages = (body.errors ?? []).map((e) => e.message ?? '');
  return [body.title, body.detail, body.type, body.error_description, ...messages]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

function v1Codes(body: TwitterErrorBody | undefined): number[] {
  return (body?.errors ?? []).map((e) => e.code).filter((c): c is number => typeof c === 'number');
}

/** When Twitter lets us try again: the exhausted window's reset (epoch seconds in `x-rate-limit-*`). */
function rateLimitReset(error: ApiResponseError, now: Date): Date {
  const limits = error.rateLimit;
  const exhausted = [limits?.userDay, limits?.day].filter((l) => l && l.remaining === 0).map((l) => l!.reset);
  const header = Number(error.headers?.['x-rate-limit-reset']);
  const reset =
    exhausted.length > 0 ? Math.max(...exhausted) : limits?.reset || (Number.isFinite(header) ? header : 0);
  return saneRetryAt(reset > 0 ? new Date(reset * 1000) : null, now, DEFAULT_RATE_LIMIT_WAIT_MS);
}

function classifyResponse(error: ApiResponseError, now: Date): ErrorClass {
  const status = error.code;
  const body = error.data as TwitterErrorBody | undefined;
  const words = wordsOf(body);
  const codes = v1Codes(body);
  const platformCode = codes[0] ?? status;
  if (error.rateLimitError || codes.includes(88)) {
    const retryAt = rateLimitReset(error, now);
    return rateLimited('Twitter', retryAt, now, platformCode);
  }
  if (status >= 500) {
    return platformTrouble('Twitter', `HTTP ${status}`, platformCode);
  }
  if (status === HTTP_PAYMENT_REQUIRED) return creditsDepleted('X');
  if (error.isAuthError) {
    return {
      kind: 'auth',
      platformCode,
      message:
        "Twitter no longer accepts Herald's access to this account (the token expired or was revoked): reconnect the account.",
    };
  }
  if (codes.includes(CODE_DUPLICATE) || words.includes('duplicate')) {
    return {
      kind: 'permanent',
      platformCode: CODE_DUPLICATE,
      message: 'Twitter rejected the post as a duplicate of an earlier one.',
    };
  }
  if (codes.includes(CODE_TOO_LONG) || words.includes('too long')) {
    return {
      kind: 'permanent',
      platformCode: CODE_TOO_LONG,
      message:
        'Twitter rejected the post as too long (over 280 characters as Twitter counts them): shorten the Twitter text.',
    };
  }
  if (
    codes.some((c) => ACCESS_CODES.has(c)) ||
    /not permitted|permission|client-forbidden|unsupported-authentication|suspended|locked/.test(words)
  ) {
    return {
      kind: 'auth',
      platformCode,
      message: `Twitter does not let Herald post for this account (${platformDetail(body?.detail ?? body?.errors?.[0]?.message) || `HTTP ${status}`}): check the app's write permission and the account, then reconnect it.`,
    };
  }
  const detail = platformDetail(body?.detail ?? body?.errors?.[0]?.message ?? body?.title);
  return requestRefused('Twitter refused the request', `HTTP ${status}`, detail, platformCode);
}

/**
 * X refused a reply because of the conversation's reply settings (403 "Reply to this conversation is not
 * allowed…"): the post before it stands, but this reply cannot be made.
 */
export function isReplyRefused(error: unknown): boolean {
  if (!(error instanceof twitterApi().ApiResponseError) || error.code !== 403) return false;
  return /reply to this conversation is not allowed|not allowed to reply/.test(
    wordsOf(error.data as TwitterErrorBody | undefined),
  );
}

/**
 * The network error under an ApiRequestError. twitter-api-v2 1.29 stores it as `_options.error` while its
 * `requestError` getter reads `_options.requestError` (always undefined), so read both.
 */
function requestCause(error: ApiRequestError): unknown {
  const options = (error as unknown as { _options?: { error?: unknown } })._options;
  return error.requestError ?? options?.error ?? error;
}

/** Sorts any error from a Twitter call into what the worker should do, in plain words without secrets. */
export function classifyTwitterError(error: unknown, now: Date): ErrorClass {
  if (error instanceof ChannelError) return error;
  const { ApiPartialResponseError, ApiRequestError, ApiResponseError } = twitterApi();
  if (error instanceof ApiResponseError) return classifyResponse(error, now);
  if (error instanceof ApiPartialResponseError) {
    return {
      kind: 'transient',
      platformCode: 'connection_closed',
      message:
        'The connection to Twitter broke before its answer arrived (the post may or may not have gone out): will check and try again.',
    };
  }
  if (error instanceof ApiRequestError) return networkProblem('Twitter', requestCause(error));
  return networkProblem('Twitter', error);
}

/** Classifies a failed token refresh: a refused refresh token means a person must reconnect the account. */
export function classifyRefreshError(error: unknown, now: Date): ChannelError {
  const c = classifyTwitterError(error, now);
  if (c.kind === 'transient' || c.kind === 'rate_limited') return new ChannelError(c);
  return new ChannelError({
    kind: 'auth',
    platformCode: 'refresh_refused',
    message:
      "Twitter refused to renew Herald's access to this account (the refresh token was revoked or already used): reconnect the account.",
  });
}
