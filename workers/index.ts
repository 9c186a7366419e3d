import type { Worker } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { QUEUE_NAMES, type QueueName } from '../src/queues/names.js';
import { startChannelWorker } from './channel.js';
import { startPublishWorker } from './publish.js';
import { startMaintenanceWorker } from './maintenance.js';
import { startNewsletterWorker } from './newsletter.js';
import { startFeedWorker } from './feed.js';
import { startIngestWorker } from './ingest.js';

export interface RunningWorkers {
  names: QueueName[];
  workers: Worker[];
  /** Stops taking jobs, waits for running ones (up to `timeoutMs`), then closes connections. */
  close(timeoutMs?: number): Promise<void>;
}

type Starter = (ctx: Context) => { workers: Worker[]; stop?: () => void };

const STARTERS: Partial<Record<QueueName, Starter>> = {
  publish: (ctx) => ({ workers: [startPublishWorker(ctx)] }),
  channel: (ctx) => ({ workers: [startChannelWorker(ctx)] }),
  feed: (ctx) => {
    const f = startFeedWorker(ctx);
    return { workers: [f.worker], stop: f.stop };
  },
  ingest: (ctx) => {
    const i = startIngestWorker(ctx);
    return { workers: [i.worker], stop: i.stop };
  },
  newsletter: (ctx) => {
    const n = startNewsletterWorker(ctx);
    return { workers: [n.worker], stop: n.stop };
  },
  maintenance: (ctx) => {
    const m = startMaintenanceWorker(ctx);
    return { workers: [m.worker], stop: m.stop };
  },
};

export const AVAILABLE_QUEUES: QueueName[] = QUEUE_NAMES.filter((n) => STARTERS[n]);

export function startWorkers(ctx: Context, names: QueueName[] = AVAILABLE_QUEUES): RunningWorkers {
  const started = names.map((n) => {
    const starter = STARTERS[n];
    if (!starter)
      throw new Error(
        `no worker for queue "${n}" in this version (available: ${AVAILABLE_QUEUES.join(', ')})`,
      );
    return starter(ctx);
  });
  const workers = started.flatMap((s) => s.workers);
  for (const w of workers)
    w.on('error', (err) => ctx.log.warn({ queue: w.name, err: err.message }, 'worker error'));
  return {
    names,
    workers,
    async close(timeoutMs = 30_000) {
      for (const s of started) s.stop?.();
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      if ((await Promise.race([graceful, timeout])) === 'timeout') {
        // Jobs still running are released: their lock expires and another worker takes them over.
        ctx.log.warn({ timeoutMs }, 'workers did not finish in time; closing anyway');
        await Promise.all(workers.map((w) => w.close(true)));
      }
    },
  };
}
