import type { ErrorClass } from '../domain/delivery-outcome.js';
import type { FeedService } from '../feed/feed-service.js';
import { LeaseTimeoutError } from '../store/leases.js';
import type { DeliveryHandler, DeliveryRun } from './deliver.js';

export interface FeedHandlerDeps {
  feeds: FeedService;
  /** The main RSS feed's public URL, shown as the delivery's link. */
  feedUrl: string;
}

/**
 * Feed deliveries (publish, edit-publish, withdraw): whatever the action, the feeds are rebuilt from
 * the current items. A delivery is done once a rebuild that read the items after the delivery was
 * written has finished, which is either one this job runs or one that another job ran meanwhile.
 * The service throttles (`feed.rebuildIntervalMs`), so a burst of changes costs at most two
 * rebuilds per interval, however many there are and however many worker processes take part.
 */
export function feedHandler(deps: FeedHandlerDeps): DeliveryHandler {
  return {
    gateKey: () => null,

    async run({ delivery }: DeliveryRun) {
      const outcome = await deps.feeds.ensureCurrent(`delivery ${delivery.id} (${delivery.action})`);
      return {
        remoteId: outcome.buildId === null ? 'current' : `build-${outcome.buildId}`,
        remoteUrl: deps.feedUrl,
        details: { rebuilt: outcome.rebuilt, filesWritten: outcome.written.length },
      };
    },

    classify(error): ErrorClass {
      // Disk full, a database hiccup, a long-running rebuild elsewhere: all worth another try later.
      if (error instanceof LeaseTimeoutError) return { kind: 'transient', message: error.message };
      const code = (error as NodeJS.ErrnoException).code;
      const message = `the feeds could not be rebuilt: ${(error as Error).message ?? String(error)}`;
      if (code === 'EACCES' || code === 'EROFS') return { kind: 'permanent', message };
      return { kind: 'transient', message };
    },
  };
}
