import { Redis } from 'ioredis';
import type { RedisTarget } from '../../src/redis/connection.js';

export const TEST_REDIS: RedisTarget = {
  url: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** Each test gets its own key prefix (hash-tagged, as in production), like BullMQ's own tests. */
export function uniquePrefix(label = 't'): string {
  return `{herald-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}}`;
}

/** Deletes every key under a prefix (what FLUSHALL would do to this test, without touching others). */
export async function deletePrefix(prefix: string): Promise<number> {
  const redis = new Redis((TEST_REDIS as { url: string }).url);
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  return deleted;
}
