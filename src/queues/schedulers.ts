// Every repeating job Herald runs, and the one loop that keeps them installed. A scheduler lives in Redis, so
// a flushed or replaced Redis forgets it: each worker re-installs its queue's schedulers periodically
// (cheap and idempotent), and removes those of its own that the configuration no longer wants.
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/schema.js';
import { FEED_CHECK_JOB, type QueueName } from './names.js';
import type { IngestJob, MaintenanceJob, NewsletterTaskJob } from './payloads.js';
import { KEEP, type Queues } from './producer.js';

type Repeat = { every: number } | { pattern: string; tz: string };

export interface SchedulerSpec {
  id: string;
  repeat: Repeat;
  job: string;
  data: object;
  attempts?: number;
}

export const BACKUP_SCHEDULER = 'backup';
export const DIGEST_SCHEDULER = 'newsletter-digest';
const SWEEP_SCHEDULER = 'newsletter-sweep';
const BOUNCES_SCHEDULER = 'newsletter-bounce-mailbox';
const SOURCE_PREFIX = 'source-';
/** How often every feed worker checks that the files match the published items (self-repair). */
const FEED_CHECK_EVERY_MS = 30_000;

/** The reconciler, the daily account check and, when a cron pattern is configured, the backups. */
export function maintenanceSchedulers(
  config: Pick<HeraldConfig, 'backup' | 'timezone' | 'delivery'>,
): SchedulerSpec[] {
  const task = (t: MaintenanceJob['task']): MaintenanceJob => ({ task: t });
  return [
    {
      id: 'reconcile',
      repeat: { every: config.delivery.reconcileEveryMs },
      job: 'reconcile',
      data: task('reconcile'),
    },
    {
      id: 'check-accounts',
      repeat: { pattern: '0 5 * * *', tz: 'UTC' },
      job: 'check-accounts',
      data: task('check-accounts'),
    },
    ...(config.backup.cron
      ? [
          {
            id: BACKUP_SCHEDULER,
            repeat: { pattern: config.backup.cron, tz: config.timezone },
            job: 'backup',
            data: task('backup'),
            attempts: 1,
          },
        ]
      : []),
  ];
}

/** The sweep, the bounce mailbox (when configured) and the digest (when switched on). */
export function newsletterSchedulers(config: Pick<HeraldConfig, 'newsletter' | 'delivery'>): SchedulerSpec[] {
  const task = (t: NewsletterTaskJob['task']): NewsletterTaskJob => ({ task: t });
  const { bounceMailbox, digest } = config.newsletter;
  const specs: SchedulerSpec[] = [
    {
      id: SWEEP_SCHEDULER,
      repeat: { every: config.delivery.reconcileEveryMs },
      job: 'sweep',
      data: task('sweep'),
    },
  ];
  if (bounceMailbox.url)
    specs.push({
      id: BOUNCES_SCHEDULER,
      repeat: { every: bounceMailbox.everyMs },
      job: 'bounces',
      data: task('bounces'),
    });
  if (digest.enabled)
    specs.push({
      id: DIGEST_SCHEDULER,
      repeat: { pattern: digest.cron, tz: digest.timezone },
      job: 'digest',
      data: task('digest'),
    });
  return specs;
}

/** One poll per configured website feed, every `everyMinutes` (the first at once). */
export function ingestSchedulers(config: Pick<HeraldConfig, 'feed'>): SchedulerSpec[] {
  return config.feed.sources.map((source) => {
    const data: IngestJob = { sourceId: source.id };
    return {
      id: `${SOURCE_PREFIX}${source.id}`,
      repeat: { every: source.everyMinutes * 60_000 },
      job: 'poll',
      data,
    };
  });
}

export function feedSchedulers(): SchedulerSpec[] {
  return [{ id: 'feed-check', repeat: { every: FEED_CHECK_EVERY_MS }, job: FEED_CHECK_JOB, data: {} }];
}

/** Which scheduler ids each queue's worker owns: those it removes when the configuration stops wanting them. */
const OWNED: Partial<Record<QueueName, (id: string) => boolean>> = {
  maintenance: (id) => id === BACKUP_SCHEDULER,
  newsletter: (id) => id === BOUNCES_SCHEDULER || id === DIGEST_SCHEDULER,
  ingest: (id) => id.startsWith(SOURCE_PREFIX),
};

/** Installs (or re-installs) the wanted schedulers on a queue; removes the owned ones no longer wanted. */
export async function installSchedulers(
  queues: Queues,
  name: QueueName,
  wanted: SchedulerSpec[],
): Promise<void> {
  const queue = queues.get(name);
  for (const spec of wanted)
    await queue.upsertJobScheduler(spec.id, spec.repeat, {
      name: spec.job,
      data: spec.data,
      opts: { ...KEEP, ...(spec.attempts ? { attempts: spec.attempts } : {}) },
    });
  const owned = OWNED[name];
  if (!owned) return;
  const ids = new Set(wanted.map((s) => s.id));
  for (const scheduler of await queue.getJobSchedulers())
    if (owned(scheduler.key) && !ids.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
}

/**
 * The one keep-installed loop: runs `install` now and every `everyMs` (at most 30 s apart), logging a failure
 * (Redis not reachable yet) as a warning. Returns the function that stops it.
 */
export function keepInstalled(install: () => Promise<unknown>, everyMs: number, log: Logger): () => void {
  const run = () =>
    install().catch((e: Error) => log.warn({ err: e.message }, 'could not install schedulers yet'));
  void run();
  const timer = setInterval(run, Math.min(everyMs, 30_000));
  timer.unref();
  return () => clearInterval(timer);
}
