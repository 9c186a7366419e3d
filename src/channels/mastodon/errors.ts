import type { ErrorClass } from '../../domain/delivery-outcome.js';
import { saneRetryAt } from '../../domain/plain-time.js';
import { rateLimited, platformTrouble, requestRefused, platformClassifier } from '../error-classes.js';
import { platformDetail } from '../redact.js';
import { MastodonApiError } from './api.js';

/** Mastodon counts requests over 5 minutes: without a usable Reset header, wait that long. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 5 * 60_000;

export function mastodonRateLimited(
  reset: Date | null,
  now: Date,
  platformCode: string | number,
): ErrorClass {
  const retryAt = saneRetryAt(reset, now, DEFAULT_RATE_LIMIT_WAIT_MS);
  return rateLimited('Mastodon', retryAt, now, platformCode);
}

function classifyApiError(error: MastodonApiError, now: Date): ErrorClass {
  const { status } = error;
  const detail = platformDetail(error.apiError ?? undefined);
  if (status === 429) return mastodonRateLimited(error.rateLimit.reset, now, 429);
  if (status === 401) {
    return {
      kind: 'auth',
      platformCode: 401,
      message:
        'The Mastodon access token is invalid or was revoked: create a new one (Preferences > Development) and configure it.',
    };
  }
  if (status === 403) {
    return {
      kind: 'auth',
      platformCode: 403,
      message: `Mastodon refused: the access token lacks a scope Herald needs (write:statuses, write:media, read:accounts) or the account is suspended${detail ? ` (${detail})` : ''}.`,
    };
  }
  if (status === 408 || status >= 500) {
    return platformTrouble('The Mastodon instance', `HTTP ${status}`, status);
  }
  if (status === 404) {
    return {
      kind: 'permanent',
      platformCode: 404,
      message: 'The Mastodon status no longer exists (it may have been deleted on Mastodon).',
    };
  }
  if (status === 422) {
    return {
      kind: 'permanent',
      platformCode: 422,
      message: `Mastodon rejected the status${detail ? `: ${detail}` : ''}.`,
    };
  }
  return requestRefused('Mastodon refused the request', `HTTP ${status}`, detail, status);
}

/** Sorts any error from a Mastodon call by its HTTP status, in plain words. */
export const classifyMastodonError = platformClassifier('Mastodon', MastodonApiError, classifyApiError);
