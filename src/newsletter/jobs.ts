// Jobs of the `newsletter` queue. They carry ids only; the database says what must happen, so every
// function here is safe to repeat (a job id that exists is not added twice).
import type { JobsOptions, Queue } from 'bullmq';
import type { HeraldConfig } from '../config/schema.js';
import type { Store } from '../store/db.js';
import { openRecipientPage } from '../store/newsletters.js';
import { initState } from '../store/newsletters.js';
import { nowIso } from '../store/db.js';
import type { Queues } from '../queues/producer.js';
import type { NewsletterSendJob, NewsletterStartJob, NewsletterTaskJob } from '../queues/payloads.js';

export const JOB = {
  send: 'send',
  start: 'start',
  digest: 'digest',
  sweep: 'sweep',
  deliver: 'deliver',
  bounces: 'bounces',
} as const;

export const DIGEST_SCHEDULER = 'newsletter-digest';
export const SWEEP_SCHEDULER = 'newsletter-sweep';
export const BOUNCES_SCHEDULER = 'newsletter-bounce-mailbox';
/** Where the next digest starts (ISO time); set when digests are first switched on. */
export const DIGEST_CURSOR = 'digest.since';

// A finished send job is removed at once, so the same id can be added again after a pause (the row,
// not the job, remembers what happened).
const SEND_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 };
const KEEP = {
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 1_000 },
} satisfies JobsOptions;
const BULK = 1_000;

export const startJobId = (newsletterId: string, token: string) => `nls_${newsletterId}_${token}`;

function queueOf(queues: Queues): Queue {
  return queues.get('newsletter');
}

export async function enqueueRecipients(
  queues: Queues,
  rows: ReadonlyArray<{ id: string; nextAttemptAt: string | null }>,
): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < rows.length; i += BULK) {
    await queueOf(queues).addBulk(
      rows.slice(i, i + BULK).map((row) => {
        const data: NewsletterSendJob = { recipientId: row.id };
        const delay = row.nextAttemptAt ? Math.max(0, Date.parse(row.nextAttemptAt) - now) : 0;
        return { name: JOB.send, data, opts: { ...SEND_OPTIONS, jobId: row.id, delay } };
      }),
    );
  }
}

/** Adds a job for every pending or deferred row of the newsletter (those that have one are left alone). */
export async function enqueueOpenRecipients(
  deps: { store: Store; queues: Queues },
  newsletterId: string,
): Promise<number> {
  let after = '';
  let total = 0;
  for (;;) {
    const page = await openRecipientPage(deps.store.db, newsletterId, after, BULK);
    if (page.length === 0) return total;
    await enqueueRecipients(deps.queues, page);
    total += page.length;
    after = page[page.length - 1]!.id;
  }
}

/** Takes the newsletter's waiting jobs out of Redis (after a pause or cancel) so they do not use the rate budget. */
export async function removeRecipientJobs(
  deps: { store: Store; queues: Queues },
  newsletterId: string,
  statuses: string[] = ['pending', 'deferred', 'cancelled', 'skipped'],
): Promise<void> {
  const queue = queueOf(deps.queues);
  let after = '';
  for (;;) {
    const page = await deps.store.db
      .selectFrom('newsletterRecipients')
      .select('id')
      .where('newsletterId', '=', newsletterId)
      .where('status', 'in', statuses)
      .where('id', '>', after)
      .orderBy('id')
      .limit(BULK)
      .execute();
    if (page.length === 0) return;
    // A job a worker holds cannot be removed; it finds the newsletter paused or cancelled and stops.
    await Promise.all(page.map((row) => queue.remove(row.id).catch(() => 0)));
    after = page[page.length - 1]!.id;
  }
}

export async function enqueueStart(
  queues: Queues,
  newsletterId: string,
  token: string,
  at: string,
): Promise<void> {
  const data: NewsletterStartJob = { newsletterId, scheduleToken: token };
  await queueOf(queues).add(JOB.start, data, {
    ...KEEP,
    jobId: startJobId(newsletterId, token),
    delay: Math.max(0, Date.parse(at) - Date.now()),
    attempts: 5,
    backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
  });
}

export async function removeStart(queues: Queues, newsletterId: string, token: string): Promise<void> {
  await queueOf(queues)
    .remove(startJobId(newsletterId, token))
    .catch(() => 0);
}

export async function hasStartJob(queues: Queues, newsletterId: string, token: string): Promise<boolean> {
  const job = await queueOf(queues).getJob(startJobId(newsletterId, token));
  if (!job) return false;
  const state = await job.getState();
  return state !== 'completed' && state !== 'failed' && state !== 'unknown';
}

/** The digest (cron + zone) and sweep schedulers; cheap and idempotent, so re-run periodically. */
export async function installNewsletterSchedulers(deps: {
  store: Store;
  queues: Queues;
  config: HeraldConfig;
}): Promise<void> {
  const queue = queueOf(deps.queues);
  const sweep: NewsletterTaskJob = { task: 'sweep' };
  await queue.upsertJobScheduler(
    SWEEP_SCHEDULER,
    { every: deps.config.delivery.reconcileEveryMs },
    { name: JOB.sweep, data: sweep, opts: KEEP },
  );
  const mailbox = deps.config.newsletter.bounceMailbox;
  const bounces: NewsletterTaskJob = { task: 'bounces' };
  if (mailbox.url)
    await queue.upsertJobScheduler(
      BOUNCES_SCHEDULER,
      { every: mailbox.everyMs },
      { name: JOB.bounces, data: bounces, opts: KEEP },
    );
  else await queue.removeJobScheduler(BOUNCES_SCHEDULER);
  const { digest } = deps.config.newsletter;
  if (!digest.enabled) {
    await queue.removeJobScheduler(DIGEST_SCHEDULER);
    return;
  }
  // The first digest covers what is published from the moment digests are switched on.
  await initState(deps.store.db, DIGEST_CURSOR, nowIso());
  const data: NewsletterTaskJob = { task: 'digest' };
  await queue.upsertJobScheduler(
    DIGEST_SCHEDULER,
    { pattern: digest.cron, tz: digest.timezone },
    { name: JOB.digest, data, opts: KEEP },
  );
}
