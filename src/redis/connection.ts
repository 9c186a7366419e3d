import { Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a URL (redis://, rediss://) or a unix socket path. */
export type RedisTarget = { url: string } | { path: string };

export function describeRedis(target: RedisTarget): string {
  if ('path' in target) return `unix:${target.path}`;
  try {
    const u = new URL(target.url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/**
 * A connection for BullMQ. Workers block on Redis and must never give up on a command
 * (`maxRetriesPerRequest: null`); queues used by the API fail fast so a request does not hang
 * while Redis is away (`enableOfflineQueue: false`).
 */
export function createRedis(target: RedisTarget, role: 'worker' | 'queue', extra: RedisOptions = {}): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
    ...extra,
  };
  return 'path' in target ? new Redis({ ...options, path: target.path }) : new Redis(target.url, options);
}

/** True when something answers PING there within `timeoutMs`. */
export async function redisAnswers(target: RedisTarget, timeoutMs = 1_000): Promise<boolean> {
  const client = createRedis(target, 'queue', {
    lazyConnect: true,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: true,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Resolves once the client is ready (or rejects after `timeoutMs`). */
export function waitReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}
