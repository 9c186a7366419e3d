import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Delivery } from '../domain/delivery.js';
import { UnavailableError } from '../domain/errors.js';
import { createRedis, waitReady, type RedisTarget } from '../redis/connection.js';
import {
  FEED_CHECK_JOB,
  NEWSLETTER_JOB,
  QUEUE_NAMES,
  RETIRED_QUEUES,
  newsletterStartJobId,
  publishJobId,
  queueForDelivery,
  type QueueName,
} from './names.js';
import type { DeliveryJob, NewsletterSendJob, NewsletterStartJob, PublishJob } from './payloads.js';

export interface QueueSettings {
  prefix: string;
  attempts: number;
  backoffMs: number;
}

/** The one retention policy for finished jobs (the database, not Redis, keeps the history). */
export const KEEP = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 10_000 },
} satisfies JobsOptions;

// A finished send job is removed at once, so the same id can be added again after a pause (the recipient
// row, not the job, remembers what happened).
const SEND_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 };
const BULK = 1_000;

const delayUntil = (at: string | null | undefined, now = Date.now()) =>
  at ? Math.max(0, Date.parse(at) - now) : 0;
const isFinished = (state: string) => state === 'completed' || state === 'failed' || state === 'unknown';

/** The producer side of every queue, on one fail-fast connection: every job Herald adds goes through here. */
export class Queues {
  readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    target: RedisTarget,
    readonly settings: QueueSettings,
  ) {
    this.connection = createRedis(target, 'queue');
    this.connection.on('error', () => undefined); // surfaced through failed commands and /healthz
  }

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.settings.prefix });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  all(): Queue[] {
    return QUEUE_NAMES.map((n) => this.get(n));
  }

  /** Adds the delivery's job (job id = delivery id). A finished job left under that id is replaced. */
  async enqueueDelivery(delivery: Pick<Delivery, 'id' | 'kind' | 'nextAttemptAt'>): Promise<void> {
    const queue = this.get(queueForDelivery(delivery.kind));
    const stale = await queue.getJob(delivery.id);
    if (stale) {
      const state = await stale.getState();
      if (!isFinished(state)) return;
      await stale.remove().catch(() => undefined);
    }
    const delay = delayUntil(delivery.nextAttemptAt);
    const data: DeliveryJob = { deliveryId: delivery.id };
    await queue.add('deliver', data, {
      ...KEEP,
      jobId: delivery.id,
      delay,
      attempts: this.settings.attempts,
      // 'custom' = the workers' backoffStrategy: exponential with jitter, capped (see workerOptions).
      backoff: { type: 'custom' },
    });
  }

  async enqueuePublish(itemId: string, scheduleToken: string, at: string): Promise<void> {
    const data: PublishJob = { itemId, scheduleToken };
    await this.get('publish').add('publish', data, {
      ...KEEP,
      jobId: publishJobId(itemId, scheduleToken),
      delay: delayUntil(at),
      attempts: this.settings.attempts,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    });
  }

  /**
   * Asks the feed worker to check the feeds now, for a change no feed delivery carries (an upload's alt text).
   * One waiting check covers any number of requests; the periodic check covers a lost one.
   */
  async requestFeedCheck(): Promise<void> {
    await this.get('feed').add(
      FEED_CHECK_JOB,
      {},
      { ...KEEP, deduplication: { id: 'feed-check-asked', keepLastIfActive: true } },
    );
  }

  async removePublish(itemId: string, scheduleToken: string): Promise<void> {
    const job = await this.get('publish').getJob(publishJobId(itemId, scheduleToken));
    await job?.remove().catch(() => undefined);
  }

  /**
   * Refuses early, before anything is written, an action whose work is carried out by the queue while Redis
   * cannot be reached: the connection does not become ready (just started, or reconnecting), or a hung
   * server does not answer PING, within `timeoutMs`.
   */
  async ensureAvailable(timeoutMs = 1_000): Promise<void> {
    const refuse = () =>
      new UnavailableError(
        'the job queue (Redis) cannot be reached right now; nothing was changed, try again in a moment',
      );
    if (this.connection.status === 'end') throw refuse();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(refuse()), timeoutMs)),
    );
    try {
      await Promise.race([waitReady(this.connection, timeoutMs).then(() => this.connection.ping()), timeout]);
    } catch {
      throw refuse();
    } finally {
      clearTimeout(timer);
    }
  }

  async hasJob(name: QueueName, jobId: string): Promise<'missing' | 'finished' | 'present'> {
    const job = await this.get(name).getJob(jobId);
    if (!job) return 'missing';
    const state = await job.getState();
    return isFinished(state) ? 'finished' : 'present';
  }

  /** One `send` job per newsletter recipient row (job id = row id), added in bulk. */
  async enqueueRecipients(rows: ReadonlyArray<{ id: string; nextAttemptAt: string | null }>): Promise<void> {
    const now = Date.now();
    for (let i = 0; i < rows.length; i += BULK)
      await this.get('newsletter').addBulk(
        rows.slice(i, i + BULK).map((row) => {
          const data: NewsletterSendJob = { recipientId: row.id };
          const delay = delayUntil(row.nextAttemptAt, now);
          return { name: NEWSLETTER_JOB.send, data, opts: { ...SEND_OPTIONS, jobId: row.id, delay } };
        }),
      );
  }

  /** Removes waiting jobs by id (a job a worker holds cannot be removed; it finds its row changed and stops). */
  async removeJobs(name: QueueName, jobIds: readonly string[]): Promise<void> {
    const queue = this.get(name);
    await Promise.all(jobIds.map((id) => queue.remove(id).catch(() => 0)));
  }

  /** The delayed job that starts a scheduled newsletter at `at`. */
  async enqueueNewsletterStart(newsletterId: string, token: string, at: string): Promise<void> {
    const data: NewsletterStartJob = { newsletterId, scheduleToken: token };
    await this.get('newsletter').add(NEWSLETTER_JOB.start, data, {
      ...KEEP,
      jobId: newsletterStartJobId(newsletterId, token),
      delay: delayUntil(at),
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
    });
  }

  /**
   * Empties the queues of earlier releases (see RETIRED_QUEUES); call after the open deliveries were re-added
   * under their current queues. A queue with a job still running (an old worker not yet stopped) is left for
   * the next round. Returns how many jobs were dropped.
   */
  async dropRetiredQueues(): Promise<number> {
    let dropped = 0;
    for (const name of RETIRED_QUEUES) {
      const queue = new Queue(name, { connection: this.connection, prefix: this.settings.prefix });
      queue.on('error', () => undefined);
      try {
        const jobs = Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
        if (jobs === 0) continue;
        await queue.obliterate(); // refuses while a job is active
        dropped += jobs;
      } catch {
        // An old worker still holds a job: try again at the next reconcile.
      } finally {
        await queue.close().catch(() => undefined);
      }
    }
    return dropped;
  }

  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(
        async (n) =>
          [
            n,
            await this.get(n).getJobCounts(
              'waiting',
              'active',
              'delayed',
              'failed',
              'completed',
              'prioritized',
            ),
          ] as const,
      ),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.connection.disconnect();
  }
}

/**
 * Redis is not the system of record: a job write that fails is logged, and `repairer` (which re-reads the
 * database: the reconciler, the newsletter sweeper) does it later.
 */
export async function tryRedis(
  deps: { log: Logger },
  what: string,
  fn: () => Promise<unknown>,
  repairer = 'the reconciler',
): Promise<void> {
  try {
    await fn();
  } catch (error) {
    deps.log.warn(
      { err: (error as Error).message },
      `could not ${what} in Redis now; ${repairer} will do it`,
    );
  }
}
