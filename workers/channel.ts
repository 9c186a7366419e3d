import { Worker } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { makeDeliveryProcessor } from '../src/queues/deliver.js';
import { channelHandler } from '../src/queues/channel-handler.js';
import { workerOptions } from '../src/queues/worker-options.js';

/** The `channel` queue: posts to social accounts (live adapters or dry-run). */
export function startChannelWorker(ctx: Context): Worker {
  const processor = makeDeliveryProcessor({
    store: ctx.store,
    gate: ctx.gate,
    log: ctx.log.child({ queue: 'channel' }),
    handlers: { channel: channelHandler(ctx) },
    backoffMs: ctx.config.delivery.backoffMs,
    lockMs: ctx.config.delivery.lockMs,
    metrics: ctx.metrics,
  });
  return new Worker('channel', processor, workerOptions(ctx, ctx.config.delivery.concurrency));
}
