import type { Redis } from 'ioredis';
import { ChannelError } from './adapter.js';
import type { TokenStore } from './twitter/auth.js';
import { LockTimeoutError, redisLock, type RedisLockOptions } from '../redis/lock.js';

/**
 * The lock every worker process takes around a token refresh (X's OAuth 2 tokens, Bluesky's sessions; one Redis
 * key per account), so that a single-use refresh token is spent by one process only; the others then read the
 * stored new tokens.
 */
export function oauthRefreshLock(
  redis: Redis,
  prefix: string,
  options: RedisLockOptions = { ttlMs: 60_000, waitMs: 45_000 },
): NonNullable<TokenStore['withLock']> {
  const lock = redisLock(redis, prefix, options);
  return async (accountId, fn) => {
    try {
      return await lock(`oauth2:${accountId}`, fn);
    } catch (error) {
      if (!(error instanceof LockTimeoutError)) throw error;
      throw new ChannelError({
        kind: 'transient',
        platformCode: 'refresh_lock',
        message:
          "Another Herald process has been renewing this account's token for too long: will try again.",
      });
    }
  };
}
