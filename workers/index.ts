import type { Worker } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { QUEUE_NAMES, type QueueName } from '../src/queues/names.js';
import { WatchedWorker, type StartedWorker, type WatchdogSettings } from '../src/queues/worker-watchdog.js';
import { startChannelWorker } from './channel.js';
import { startPublishWorker } from './publish.js';
import { startMaintenanceWorker } from './maintenance.js';
import { startNewsletterWorker } from './newsletter.js';
import { startFeedWorker } from './feed.js';
import { startIngestWorker } from './ingest.js';

export interface RunningWorkers {
  names: QueueName[];
  /** The workers running now (a stuck one is replaced by the watchdog, see worker-watchdog.ts). */
  readonly workers: Worker[];
  /** Stops taking jobs, waits for running ones (up to `timeoutMs`), then closes connections. */
  close(timeoutMs?: number): Promise<void>;
}

type Starter = (ctx: Context) => StartedWorker;

const STARTERS: Partial<Record<QueueName, Starter>> = {
  publish: (ctx) => ({ worker: startPublishWorker(ctx) }),
  channel: (ctx) => ({ worker: startChannelWorker(ctx) }),
  feed: startFeedWorker,
  ingest: startIngestWorker,
  newsletter: startNewsletterWorker,
  maintenance: startMaintenanceWorker,
};

export const AVAILABLE_QUEUES: QueueName[] = QUEUE_NAMES.filter((n) => STARTERS[n]);

export function startWorkers(
  ctx: Context,
  names: QueueName[] = AVAILABLE_QUEUES,
  watchdog?: WatchdogSettings,
): RunningWorkers {
  const watched = names.map((name) => {
    const starter = STARTERS[name];
    if (!starter)
      throw new Error(
        `no worker for queue "${name}" in this version (available: ${AVAILABLE_QUEUES.join(', ')})`,
      );
    const start = () => {
      const started = starter(ctx);
      const w = started.worker;
      w.on('error', (err) => ctx.log.warn({ queue: w.name, err: err.message }, 'worker error'));
      return started;
    };
    return new WatchedWorker(start, ctx.queues.get(name), ctx.log, watchdog);
  });
  return {
    names,
    get workers() {
      return watched.map((w) => w.current);
    },
    async close(timeoutMs = 30_000) {
      const graceful = Promise.all(watched.map((w) => w.close()));
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      if ((await Promise.race([graceful, timeout])) === 'timeout') {
        // Jobs still running are released: their lock expires and another worker takes them over.
        ctx.log.warn({ timeoutMs }, 'workers did not finish in time; closing anyway');
        await Promise.all(watched.map((w) => w.close(true)));
      }
    },
  };
}
