import { Worker } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { publishJobSchema } from '../src/queues/payloads.js';
import { publishNow } from '../src/app/publishing.js';
import { findItem } from '../src/store/items.js';
import { workerOptions } from '../src/queues/worker-options.js';

/** Fires scheduled publications at their time: the item's fan-out happens here. */
export function startPublishWorker(ctx: Context): Worker {
  const log = ctx.log.child({ queue: 'publish' });
  return new Worker(
    'publish',
    async (job) => {
      const { itemId, scheduleToken } = publishJobSchema.parse(job.data);
      const item = await findItem(ctx.store.db, itemId);
      if (!item || item.status !== 'scheduled' || item.scheduleToken !== scheduleToken)
        return { skipped: 'stale schedule' };
      const outcome = await publishNow(ctx, itemId, {
        channels: item.publishChannels,
        announce: item.announce,
        actor: 'scheduler',
        expectedScheduleToken: scheduleToken,
      });
      log.info(
        { itemId, deliveries: outcome.deliveries.length, changed: outcome.changed },
        'scheduled item published',
      );
      return { changed: outcome.changed };
    },
    workerOptions(ctx, 4),
  );
}
