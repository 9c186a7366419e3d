import { Worker } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { publishJobSchema } from '../src/queues/payloads.js';
import { publishNow } from '../src/app/publishing.js';
import { NotFoundError } from '../src/domain/errors.js';
import { workerOptions } from '../src/queues/worker-options.js';

/** Fires scheduled publications at their time: the item's fan-out happens here. */
export function startPublishWorker(ctx: Context): Worker {
  const log = ctx.log.child({ queue: 'publish' });
  return new Worker(
    'publish',
    async (job) => {
      const { itemId, scheduleToken } = publishJobSchema.parse(job.data);
      // A stale schedule (rescheduled, cancelled, published by hand, deleted) changes nothing.
      const outcome = await publishNow(ctx, itemId, {
        actor: 'scheduler',
        expectedScheduleToken: scheduleToken,
      }).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      if (!outcome?.changed) return { skipped: 'stale schedule' };
      log.info(
        { itemId, deliveries: outcome.deliveries.length, changed: outcome.changed },
        'scheduled item published',
      );
      return { changed: outcome.changed };
    },
    workerOptions(ctx, 4),
  );
}
