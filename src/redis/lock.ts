import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HeraldError } from '../domain/errors.js';

/** The lock was held by someone else for longer than we were willing to wait. */
export class LockTimeoutError extends HeraldError {
  constructor(
    readonly lockName: string,
    waitedMs: number,
  ) {
    super(`the lock "${lockName}" stayed taken for ${waitedMs} ms`, {
      code: 'lock_timeout',
      httpStatus: 503,
      errorClass: 'transient',
    });
  }
}

export interface RedisLockOptions {
  /** The lock frees itself after this long, should its holder die. */
  ttlMs?: number;
  /** How long to wait for it before giving up. */
  waitMs?: number;
}

// Deletes the key only if it still holds our token (never another holder's lock after ours expired).
const RELEASE =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/**
 * A mutual-exclusion lock across processes on one Redis key (SET NX PX + token-checked release). Used around an
 * OAuth 2 refresh, where two processes refreshing at once would burn the single-use refresh token.
 */
export function redisLock(redis: Redis, prefix: string, options: RedisLockOptions = {}) {
  const ttlMs = options.ttlMs ?? 30_000;
  const waitMs = options.waitMs ?? 30_000;
  return async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const key = `${prefix}:lock:${name}`;
    const token = randomBytes(12).toString('hex');
    const started = Date.now();
    while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() - started > waitMs) throw new LockTimeoutError(name, Date.now() - started);
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
    try {
      return await fn();
    } finally {
      await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  };
}
