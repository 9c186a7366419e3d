import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LockTimeoutError, redisLock } from '../../../src/redis/lock.js';
import { oauthRefreshLock } from '../../../src/channels/refresh-lock.js';
import { ChannelError } from '../../../src/channels/adapter.js';
import { TEST_REDIS, deletePrefix, uniquePrefix } from '../../helpers/redis.js';

const prefix = uniquePrefix('lock');
const a = new Redis((TEST_REDIS as { url: string }).url);
const b = new Redis((TEST_REDIS as { url: string }).url);
afterAll(async () => {
  await deletePrefix(prefix);
  a.disconnect();
  b.disconnect();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis lock across connections', () => {
  it('one holder at a time; the next one gets it when it is released', async () => {
    const lockA = redisLock(a, prefix);
    const lockB = redisLock(b, prefix);
    const events: string[] = [];
    const run = (lock: typeof lockA, name: string) =>
      lock('x', async () => {
        events.push(`${name} in`);
        await sleep(100);
        events.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([run(lockA, 'a'), run(lockB, 'b'), run(lockA, 'c')])).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace(' in', ' out'));
    expect(await a.exists(`${prefix}:lock:x`)).toBe(0);
  });

  it('released on error, and never releases a lock that expired and went to someone else', async () => {
    const lock = redisLock(a, prefix, { ttlMs: 100 });
    await expect(lock('y', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await a.exists(`${prefix}:lock:y`)).toBe(0);
    const slow = lock('z', () => sleep(250)); // outlives its ttl
    await sleep(150);
    await b.set(`${prefix}:lock:z`, 'someone-else', 'PX', 5_000);
    await slow;
    expect(await b.get(`${prefix}:lock:z`)).toBe('someone-else');
  });

  it('gives up waiting after waitMs', async () => {
    await b.set(`${prefix}:lock:w`, 'held', 'PX', 5_000);
    await expect(redisLock(a, prefix, { waitMs: 200 })('w', async () => 1)).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
  });
});

describe('OAuth refresh lock', () => {
  it('runs the refresh under the account lock', async () => {
    const seen: Array<number> = [];
    const withLock = oauthRefreshLock(a, prefix);
    expect(
      await withLock('tw', async () => (seen.push(await b.exists(`${prefix}:lock:oauth2:tw`)), 'refreshed')),
    ).toBe('refreshed');
    expect(seen).toEqual([1]);
  });

  it('a lock held too long becomes a transient ChannelError in plain words', async () => {
    await b.set(`${prefix}:lock:oauth2:held`, 'another-process', 'PX', 5_000);
    const error = await oauthRefreshLock(a, prefix, { waitMs: 200 })('held', async () => 1).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({
      kind: 'transient',
      message: "Another Herald process has been renewing this account's token for too long: will try again.",
    });
  });
});
