import type { Logger } from 'pino';
import type { Store } from '../store/db.js';
import { listOpenDeliveries } from '../store/deliveries.js';
import { listScheduledItems } from '../store/items.js';
import { publishJobId, queueForDelivery } from './names.js';
import type { Queues } from './producer.js';
import type { Telemetry } from './telemetry.js';
import { deliveryHold } from '../domain/account-hold.js';

export interface ReconcileReport {
  deliveriesChecked: number;
  deliveriesRestored: number;
  schedulesChecked: number;
  schedulesRestored: number;
  /** Jobs dropped from queues of earlier releases (their deliveries were re-added above). */
  retiredJobsDropped: number;
}

/**
 * The database says what must happen; Redis may have forgotten (flushed, replaced, a lost enqueue).
 * Re-adds the job of every open delivery and every scheduled item that has none. Safe to run anywhere,
 * any time: the job ids are the delivery ids, and a job for a finished delivery does nothing.
 */
export async function reconcile(deps: {
  store: Store;
  queues: Queues;
  log: Logger;
  metrics?: Telemetry;
}): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    deliveriesChecked: 0,
    deliveriesRestored: 0,
    schedulesChecked: 0,
    schedulesRestored: 0,
    retiredJobsDropped: 0,
  };
  for (const delivery of await listOpenDeliveries(deps.store.db)) {
    // A held delivery has no job on purpose: it waits for its release (src/app/account-hold.ts).
    if (deliveryHold(delivery.progress)) continue;
    report.deliveriesChecked++;
    const state = await deps.queues.hasJob(queueForDelivery(delivery.kind), delivery.id);
    if (state === 'present') continue;
    await deps.queues.enqueueDelivery(delivery);
    report.deliveriesRestored++;
  }
  report.retiredJobsDropped = await deps.queues.dropRetiredQueues();
  for (const item of await listScheduledItems(deps.store.db)) {
    if (!item.scheduleToken || !item.publishAt) continue;
    report.schedulesChecked++;
    const state = await deps.queues.hasJob('publish', publishJobId(item.id, item.scheduleToken));
    if (state === 'present') continue;
    if (state === 'finished') await deps.queues.removePublish(item.id, item.scheduleToken);
    await deps.queues.enqueuePublish(item.id, item.scheduleToken, item.publishAt);
    report.schedulesRestored++;
  }
  deps.metrics?.jobsRestored('delivery', report.deliveriesRestored);
  deps.metrics?.jobsRestored('schedule', report.schedulesRestored);
  if (report.retiredJobsDropped > 0)
    deps.log.info(report, 'reconciler emptied the queues of an earlier release');
  if (report.deliveriesRestored + report.schedulesRestored > 0)
    deps.log.warn(report, 'reconciler restored jobs Redis did not have');
  return report;
}
