// Jobs of the `newsletter` queue. They carry ids only; the database says what must happen, so every
// function here is safe to repeat (a job id that exists is not added twice). Jobs are added through the
// producer (src/queues/producer.ts), schedulers through src/queues/schedulers.ts.
import type { HeraldConfig } from '../config/schema.js';
import type { Store } from '../store/db.js';
import { openRecipientPage } from '../store/newsletters.js';
import { initState } from '../store/newsletters.js';
import { nowIso } from '../store/db.js';
import { newsletterStartJobId } from '../queues/names.js';
import type { Queues } from '../queues/producer.js';
import { installSchedulers, newsletterSchedulers } from '../queues/schedulers.js';

/** Where the next digest starts (ISO time); set when digests are first switched on. */
export const DIGEST_CURSOR = 'digest.since';
const BULK = 1_000;

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
    await deps.queues.enqueueRecipients(page);
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
    await deps.queues.removeJobs(
      'newsletter',
      page.map((row) => row.id),
    );
    after = page[page.length - 1]!.id;
  }
}

export async function removeStart(queues: Queues, newsletterId: string, token: string): Promise<void> {
  await queues.removeJobs('newsletter', [newsletterStartJobId(newsletterId, token)]);
}

export async function hasStartJob(queues: Queues, newsletterId: string, token: string): Promise<boolean> {
  return (await queues.hasJob('newsletter', newsletterStartJobId(newsletterId, token))) === 'present';
}

/** The newsletter schedulers (src/queues/schedulers.ts); the first digest covers what is published from then on. */
export async function installNewsletterSchedulers(deps: {
  store: Store;
  queues: Queues;
  config: HeraldConfig;
}): Promise<void> {
  if (deps.config.newsletter.digest.enabled) await initState(deps.store.db, DIGEST_CURSOR, nowIso());
  await installSchedulers(deps.queues, 'newsletter', newsletterSchedulers(deps.config));
}
