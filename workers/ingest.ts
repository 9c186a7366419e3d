import { Worker } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { workerOptions } from '../src/queues/worker-options.js';
import { ingestJobSchema, installIngestSchedulers } from '../src/ingest/schedule.js';
import { pollSource } from '../src/ingest/poll.js';

/** How often this process re-installs the poll schedules (cheap, and brings them back after a Redis flush). */
const INSTALL_EVERY_MS = 60_000;

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
  const install = () =>
    installIngestSchedulers(ctx.queues.get('ingest'), ctx.config.feed.sources).catch((e: Error) =>
      log.warn({ err: e.message }, 'could not install the source schedules yet'),
    );
  void install();
  const timer = setInterval(install, INSTALL_EVERY_MS);
  timer.unref();
  return { worker, stop: () => clearInterval(timer) };
}
