import type { ErrorClass } from '../domain/delivery-outcome.js';
import { plainUtcTime } from '../domain/plain-time.js';
import { ChannelError } from './adapter.js';
import { networkProblem } from './network-errors.js';

type PlatformCode = string | number;

/** The platform's rate limit: wait until `retryAt`. */
export function rateLimited(
  platform: string,
  retryAt: Date,
  now: Date,
  platformCode: PlatformCode,
): ErrorClass {
  return {
    kind: 'rate_limited',
    retryAt,
    platformCode,
    message: `${platform} rate limit: will post at ${plainUtcTime(retryAt, now)}.`,
  };
}

/** A failure on the platform's side (5xx and the like): try again. `what` names the status, e.g. "HTTP 503". */
export function platformTrouble(who: string, what: string, platformCode: PlatformCode): ErrorClass {
  return { kind: 'transient', platformCode, message: `${who} is having trouble (${what}): will try again.` };
}

/**
 * The platform wants paying (HTTP 402, X's prepaid credits ran out): not the post's fault and not worth
 * retrying; the account becomes `needs_credits` and its posts wait until credits are added.
 */
export function creditsDepleted(platform: string): ErrorClass {
  return {
    kind: 'held',
    accountState: 'needs_credits',
    platformCode: 'credits_depleted',
    message: `${platform} refused the post because the app's prepaid credits have run out (HTTP 402). Its posts wait: add credits in the ${platform} developer console, then press "Try again" on the Channels page (Herald also tries again once a day).`,
  };
}

/** Any other refusal: permanent, in the platform's words when it gave some, e.g. "Bluesky refused the request (HTTP 400: …)." */
export function requestRefused(
  sentence: string,
  what: string,
  detail: string,
  platformCode: PlatformCode,
): ErrorClass {
  return { kind: 'permanent', platformCode, message: `${sentence} (${what}${detail ? `: ${detail}` : ''}).` };
}

/**
 * A platform's classifier: a ChannelError is already classified, the platform's API error is sorted by
 * `classify`, and anything else is a network problem.
 */
export function platformClassifier<E>(
  platform: string,
  apiError: abstract new (...args: never[]) => E,
  classify: (error: E, now: Date) => ErrorClass,
): (error: unknown, now: Date) => ErrorClass {
  return (error, now) => {
    if (error instanceof ChannelError) return error;
    if (error instanceof apiError) return classify(error, now);
    return networkProblem(platform, error);
  };
}
