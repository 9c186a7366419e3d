import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { FeedSourceConfig } from '../config/feed.js';

/** Jobs carry the source id only; the worker reads the source from its configuration. */
export const ingestJobSchema = z.strictObject({ sourceId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/) });
export type IngestJob = z.infer<typeof ingestJobSchema>;

const SCHEDULER_PREFIX = 'source-';
const KEEP = { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };

/**
 * One BullMQ job scheduler per configured source (every `everyMinutes`, the first poll at once);
 * schedulers of sources removed from the configuration are removed. Idempotent.
 */
export async function installIngestSchedulers(
  queue: Queue,
  sources: readonly FeedSourceConfig[],
): Promise<void> {
  const wanted = new Set(sources.map((s) => `${SCHEDULER_PREFIX}${s.id}`));
  for (const source of sources) {
    const data: IngestJob = { sourceId: source.id };
    await queue.upsertJobScheduler(
      `${SCHEDULER_PREFIX}${source.id}`,
      { every: source.everyMinutes * 60_000 },
      { name: 'poll', data, opts: KEEP },
    );
  }
  for (const scheduler of await queue.getJobSchedulers()) {
    const id = scheduler.key;
    if (id.startsWith(SCHEDULER_PREFIX) && !wanted.has(id)) await queue.removeJobScheduler(id);
  }
}
