import { Worker, type Job } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { makeDeliveryProcessor } from '../src/queues/deliver.js';
import { feedHandler } from '../src/queues/feed-handler.js';
import { workerOptions } from '../src/queues/worker-options.js';
import { feedServiceFor } from '../src/feed/feed-service.js';
import { feedUrls } from '../src/feed/variants.js';
import { oldestOpenFeedDelivery } from '../src/store/feed-builds.js';
import { FEED_CHECK_JOB } from '../src/queues/names.js';
import { feedSchedulers, installSchedulers, keepInstalled } from '../src/queues/schedulers.js';

/**
 * Rebuilds the feeds: feed deliveries (publish, edit, withdraw) and a periodic check that repairs
 * whatever a lost job or a crash left behind (also the very first build of a fresh install).
 */
export function startFeedWorker(ctx: Context): { worker: Worker; stop(): void } {
  const log = ctx.log.child({ queue: 'feed' });
  const feeds = feedServiceFor(ctx);
  const deliver = makeDeliveryProcessor({
    store: ctx.store,
    gate: ctx.gate,
    log,
    handlers: {
      feed: feedHandler({ feeds, feedUrl: feedUrls(ctx.config.publicUrl, { kind: 'all' }).rss }),
    },
    backoffMs: ctx.config.delivery.backoffMs,
    lockMs: ctx.config.delivery.lockMs,
    metrics: ctx.metrics,
  });
  const processor = async (job: Job, token?: string) => {
    if (job.name === FEED_CHECK_JOB) {
      // Waiting feed deliveries will rebuild; the check only covers what nothing else will.
      if (await oldestOpenFeedDelivery(ctx.store.db)) return { skipped: 'feed deliveries pending' };
      const outcome = await feeds.ensureCurrent('periodic check');
      if (outcome.rebuilt)
        log.warn(
          { buildId: outcome.buildId },
          'feeds were behind the published items; rebuilt by the periodic check',
        );
      return { rebuilt: outcome.rebuilt };
    }
    return deliver(job, token);
  };
  // Jobs mostly wait (the rebuild window, the lease): a few at once lets a burst drain quickly.
  const worker = new Worker('feed', processor, workerOptions(ctx, 4));
  const stop = keepInstalled(() => installSchedulers(ctx.queues, 'feed', feedSchedulers()), 30_000, log);
  return { worker, stop };
}
