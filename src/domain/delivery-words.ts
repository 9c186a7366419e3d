import { plainUtcTime } from './plain-time.js';

// What the item page says about a delivery that did not go through yet, in plain words.

/** Drops the promise to retry from an adapter's message ("...: will try again." -> "..."). */
function withoutRetryPromise(message: string): string {
  return message.replace(/:?\s*will (?:check and )?try again\.?$/i, '').replace(/\.$/, '');
}

/** After the last allowed attempt failed with a passing problem. */
export function gaveUpMessage(attempts: number, message: string): string {
  return `Gave up after ${attempts} attempts. Last problem: ${withoutRetryPromise(message)}. Retry the delivery when the platform works again.`;
}

/** A passing problem that will be retried: which attempt this was. */
export function retryingMessage(message: string, attempt: number, allowed: number): string {
  return `${message.replace(/\.$/, '')} (attempt ${attempt} of ${allowed}).`;
}

/** A job waiting because another job for the same account hit the platform's rate limit. */
export function gateWaitMessage(until: Date, now = new Date()): string {
  return `Waiting for this account's rate limit to reset (another post hit it): will try at ${plainUtcTime(until, now)}.`;
}
