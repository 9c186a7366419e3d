/** How a failed attempt is treated: wait for the reset, retry with backoff, give up, or give up and reconnect. */
export type ErrorClassKind = 'rate_limited' | 'transient' | 'permanent' | 'auth';

/** A failed attempt, classified by the handler that made it (channel, feed, newsletter). */
export interface ErrorClass {
  kind: ErrorClassKind;
  /** Plain words for staff, never containing a secret. */
  message: string;
  /** For rate limits: when the platform lets us try again. */
  retryAt?: Date | undefined;
  /** The platform's own code, for the record (e.g. Facebook 190, Twitter 187). */
  platformCode?: string | number | undefined;
}

/** What a successful delivery left somewhere: the remote id and address. */
export interface PublishResult {
  remoteId: string;
  remoteUrl: string | null;
  /** Extra ids worth keeping (e.g. every tweet id of a thread). */
  details?: Record<string, unknown>;
}
