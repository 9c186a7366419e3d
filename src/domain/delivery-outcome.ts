import type { AccountState } from './platform.js';

/**
 * How a failed attempt is treated: wait for the reset, retry with backoff, give up, give up and reconnect, or
 * hold (wait, without retrying, until a person or the daily check releases it: see account-hold.ts).
 */
export type ErrorClassKind = 'rate_limited' | 'transient' | 'permanent' | 'auth' | 'held';

/** A failed attempt, classified by the handler that made it (channel, feed, newsletter). */
export interface ErrorClass {
  kind: ErrorClassKind;
  /** Plain words for staff, never containing a secret. */
  message: string;
  /** For rate limits: when the platform lets us try again. */
  retryAt?: Date | undefined;
  /** The platform's own code, for the record (e.g. Facebook 190, Twitter 187). */
  platformCode?: string | number | undefined;
  /** For holds: the state the account goes to (its every delivery waits), or absent when only this one waits. */
  accountState?: AccountState | undefined;
}

/** What a successful delivery left somewhere: the remote id and address. */
export interface PublishResult {
  remoteId: string;
  remoteUrl: string | null;
  /** Extra ids worth keeping (e.g. every tweet id of a thread). */
  details?: Record<string, unknown>;
}
