import { ChannelError } from '../adapter.js';
import { rateLimited } from '../error-classes.js';

/**
 * What a PDS's RateLimit-* headers said about the tightest limit a call counted against: `remaining`
 * points until `reset` (RateLimit-Reset is in epoch seconds). RateLimit-Policy names the window, e.g.
 * "5000;w=3600" for the repo writes' hourly points.
 */
interface RateLimitState {
  remaining: number;
  reset: Date;
}

/**
 * Which of the PDS's limits a call counts against. Repo writes share the account's write points (5,000 an
 * hour, 35,000 a day); createSession has its own (30 per 5 minutes, 300 a day); every other call counts
 * against the global limit, whose headers say nothing about the write points.
 */
type Bucket = 'write' | 'session' | 'api';

/** Points a repo write spends (the PDS's documented costs); any other call costs one request. */
const WRITE_POINTS: Record<string, number> = {
  'com.atproto.repo.createRecord': 3,
  'com.atproto.repo.putRecord': 2,
  'com.atproto.repo.deleteRecord': 1,
};

/** The longest PDS window (a day); a reset further away is a bad header. */
const MAX_WINDOW_MS = 24 * 3_600_000;

function bucketOf(method: string): Bucket {
  if (method in WRITE_POINTS) return 'write';
  return method === 'com.atproto.server.createSession' ? 'session' : 'api';
}

/** The XRPC method of a request address, e.g. "com.atproto.repo.createRecord". */
export function xrpcMethod(url: string): string {
  return new URL(url, 'http://pds.invalid').pathname.replace(/^\/xrpc\//, '');
}

function stateOf(headers: Headers, now: Date): RateLimitState | null {
  const remaining = Number(headers.get('ratelimit-remaining') ?? NaN);
  if (!Number.isFinite(remaining)) return null;
  const reset = Number(headers.get('ratelimit-reset') ?? NaN) * 1000;
  if (reset > 0 && reset <= now.getTime()) return null; // the window has already begun again
  if (reset > 0 && reset <= now.getTime() + MAX_WINDOW_MS) return { remaining, reset: new Date(reset) };
  // No reset, or an absurd one: the policy's window bounds the wait ("5000;w=3600").
  const window = /;\s*w=(\d+)/.exec(headers.get('ratelimit-policy') ?? '')?.[1];
  const windowMs = Number(window) * 1000;
  if (!(windowMs > 0 && windowMs <= MAX_WINDOW_MS)) return null;
  return { remaining, reset: new Date(now.getTime() + windowMs) };
}

/**
 * One account's rate limits as the PDS's answers told them, per bucket. A call that would spend more points
 * than remain before the reset is not sent: it fails as rate limited until the reset, which closes the shared
 * rate gate for the account (as a 429 would), instead of costing a refusal.
 */
export class BlueskyRateLimits {
  private readonly buckets = new Map<Bucket, RateLimitState>();

  constructor(private readonly now: () => Date) {}

  /** Throws a rate-limited ChannelError when `method` would be refused now. */
  check(method: string): void {
    const state = this.buckets.get(bucketOf(method));
    const now = this.now();
    if (!state || state.reset <= now) return;
    if (state.remaining < (WRITE_POINTS[method] ?? 1))
      throw new ChannelError(rateLimited('Bluesky', state.reset, now, 'RateLimitExceeded'));
  }

  /** Keeps what an answer's headers said (answers without them change nothing). */
  record(method: string, headers: Headers): void {
    if (!headers.has('ratelimit-remaining')) return;
    const state = stateOf(headers, this.now());
    if (state) this.buckets.set(bucketOf(method), state);
    else this.buckets.delete(bucketOf(method));
  }
}
