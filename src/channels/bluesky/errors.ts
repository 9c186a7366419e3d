import type { XRPCError } from '@atproto/api';
import type { ErrorClass } from '../../domain/delivery-outcome.js';
import { ChannelError } from '../adapter.js';
import { networkProblem } from '../network-errors.js';
import { rateLimited, platformTrouble, requestRefused, platformClassifier } from '../error-classes.js';
import { platformDetail } from '../redact.js';
import { saneRetryAt } from '../../domain/plain-time.js';
import { atproto } from './library.js';

/** When Bluesky says "rate limited" without a reset: its write limits are per hour. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 15 * 60_000;

/** Answers that mean the credentials or the account are refused: a person must act. */
const AUTH_ERRORS = new Set([
  'AuthenticationRequired',
  'InvalidToken',
  'AccountTakedown',
  'AccountDeactivated',
  'AuthFactorTokenRequired',
]);

/** `ratelimit-reset` (epoch seconds) of the exhausted policy. */
function resetOf(error: XRPCError, now: Date): Date {
  const reset = Number(error.headers?.['ratelimit-reset']);
  return saneRetryAt(
    Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : null,
    now,
    DEFAULT_RATE_LIMIT_WAIT_MS,
  );
}

function classifyXrpc(error: XRPCError, now: Date): ErrorClass {
  const status = error.status as number;
  const platformCode = error.error || status;
  if (status === 429 || error.error === 'RateLimitExceeded') {
    const retryAt = resetOf(error, now);
    return rateLimited('Bluesky', retryAt, now, platformCode);
  }
  if (status === 1) {
    // Thrown inside the session (sign-in lock, network): the cause is the real error.
    if (error.cause instanceof ChannelError) return error.cause;
    return networkProblem('Bluesky', error.cause ?? error);
  }
  if (status >= 500) {
    return platformTrouble('Bluesky', `HTTP ${status}`, platformCode);
  }
  if (status === 401 || AUTH_ERRORS.has(error.error)) {
    return {
      kind: 'auth',
      platformCode,
      message:
        "Bluesky refused the account's credentials (wrong handle or app password, revoked app password, or a suspended account): check BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD, then reconnect the account.",
    };
  }
  const detail = platformDetail(error.message);
  return requestRefused('Bluesky refused the request', `HTTP ${status}`, detail, platformCode);
}

/** Sorts any error from a Bluesky call into what the worker should do, in plain words. */
export function classifyBlueskyError(error: unknown, now: Date): ErrorClass {
  return platformClassifier('Bluesky', atproto().XRPCError, classifyXrpc)(error, now);
}
