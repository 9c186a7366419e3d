import { Worker } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { workerOptions } from '../src/queues/worker-options.js';
import { ingestJobSchema } from '../src/queues/payloads.js';
import { ingestSchedulers, installSchedulers, keepInstalled } from '../src/queues/schedulers.js';
import { pollSource } from '../src/ingest/poll.js';

/** Polls the configured website feeds on their schedules; each new entry becomes an item. */
export function startIngestWorker(ctx: Context): { worker: Worker; stop(): void } {
  const log = ctx.log.child({ queue: 'ingest' });
  const worker = new Worker(
    'ingest',
    async (job) => {
      const { sourceId } = ingestJobSchema.parse(job.data);
      const source = ctx.config.feed.sources.find((s) => s.id === sourceId);
      if (!source) return { skipped: `source "${sourceId}" is no longer configured` };
      const result = await pollSource(ctx, source);
      return {
        ok: result.ok,
        created: result.created.length,
        skipped: result.skipped.length,
        error: result.error?.reason ?? null,
      };
    },
    workerOptions(ctx, 2),
  );
  const stop = keepInstalled(
    () => installSchedulers(ctx.queues, 'ingest', ingestSchedulers(ctx.config)),
    ctx.config.delivery.reconcileEveryMs,
    log,
  );
  return { worker, stop };
}
