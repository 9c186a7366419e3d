import type { Context } from './context.js';
import { makeHeldDeliveriesDue } from '../store/held-deliveries.js';

/**
 * After a reconnection: the account's waiting deliveries go out now. Its rate gate (closed while it was held)
 * opens, delayed jobs are promoted, and a job Redis forgot is added again. Returns how many were released.
 */
export async function releaseHeldDeliveries(
  ctx: Pick<Context, 'store' | 'queues' | 'gate'>,
  accountId: string,
): Promise<number> {
  const ids = await makeHeldDeliveriesDue(ctx.store.db, accountId);
  await ctx.gate.open(`account:${accountId}`);
  const queue = ctx.queues.get('channel');
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (job && (await job.getState()) === 'delayed') await job.promote();
    else if (!job) await ctx.queues.enqueueDelivery({ id, kind: 'channel', nextAttemptAt: null });
  }
  return ids.length;
}
