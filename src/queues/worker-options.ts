import type { WorkerOptions } from 'bullmq';
import type { HeraldConfig } from '../config/schema.js';
import { createRedis, type RedisTarget } from '../redis/connection.js';
import { backoffDelay } from '../domain/delivery.js';

/** Options shared by every worker: a blocking connection of its own, the lock and stall settings. */
export function workerOptions(
  ctx: { redis: RedisTarget; config: Pick<HeraldConfig, 'queuePrefix' | 'delivery'> },
  concurrency: number,
): WorkerOptions {
  const connection = createRedis(ctx.redis, 'worker');
  connection.on('error', () => undefined); // ioredis reconnects by itself; BullMQ reports lasting trouble
  return {
    connection,
    prefix: ctx.config.queuePrefix,
    concurrency,
    lockDuration: ctx.config.delivery.lockMs,
    stalledInterval: Math.max(1_000, Math.floor(ctx.config.delivery.lockMs / 2)),
    // A crashed worker makes its job "stalled"; allow several crashes before BullMQ gives up on it
    // (the reconciler re-adds it even then, since the delivery is still open in the database).
    maxStalledCount: 5,
    autorun: true,
    settings: {
      backoffStrategy: (attemptsMade: number) =>
        backoffDelay(attemptsMade, ctx.config.delivery.backoffMs, ctx.config.delivery.maxBackoffMs),
    },
  };
}
