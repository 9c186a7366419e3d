// Starting, scheduling, pausing, resuming and cancelling a newsletter send. The database is the system
// of record: each step changes it in one transaction first, then adds or removes jobs (a lost Redis
// write is repaired by the sweeper, src/newsletter/sweep.ts).
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/schema.js';
import { ConflictError } from '../domain/errors.js';
import type { Newsletter, NewsletterAction, NewsletterStatus } from '../domain/newsletter-send.js';
import { allowedFrom, canDoNewsletter } from '../domain/newsletter-send.js';
import { parsePublishTime, whenToRun } from '../domain/schedule.js';
import { newScheduleToken } from '../store/ids.js';
import type { Store } from '../store/db.js';
import { nowIso } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { toJson } from '../store/json.js';
import { eligibleContacts, eligibleLanguages } from '../store/members.js';
import {
  getNewsletter,
  hasOpenRecipients,
  insertRecipients,
  moveRecipients,
  transitionNewsletter,
} from '../store/newsletters.js';
import { tryRedis as tryRedisOr, type Queues } from '../queues/producer.js';
import { compileFor, loadItems } from './compose.js';
import type { NewsletterItem } from './content.js';
import { enqueueOpenRecipients, removeRecipientJobs, removeStart } from './jobs.js';
import { assertReadyToSend, newsletterSettings } from './settings.js';

/** A failed job write here is repaired by the newsletter sweeper (src/newsletter/sweep.ts). */
const tryRedis = (deps: { log: Logger }, what: string, fn: () => Promise<unknown>) =>
  tryRedisOr(deps, what, fn, 'the newsletter sweeper');

export interface NewsletterDeps {
  store: Store;
  queues: Queues;
  log: Logger;
  config: HeraldConfig;
}

function refuse(action: NewsletterAction, newsletter: Newsletter): never {
  throw new ConflictError(
    `cannot ${action} a newsletter that is ${newsletter.status} (only when ${allowedFrom(action).join(' or ')})`,
    `not_${allowedFrom(action)[0]}`,
  );
}

/**
 * Compiles every language the audience reads, so template mistakes surface before anything is sent.
 * Returns the compiled layout (the same for every language), kept with the newsletter for the workers.
 */
async function checkTemplates(
  deps: NewsletterDeps,
  newsletter: Newsletter,
  items: NewsletterItem[],
): Promise<string> {
  const settings = newsletterSettings(deps.config);
  const languages = new Set([
    settings.defaultLanguage,
    ...(await eligibleLanguages(
      deps.store.db,
      newsletter.kind,
      deps.config.newsletter.audiences[newsletter.kind],
    )),
  ]);
  let layout = '';
  for (const language of languages)
    layout = (await compileFor({ ...newsletter, layout: null }, items, language, settings)).layoutHtml;
  return layout;
}

/** Send now (`at` absent or not in the future) or schedule. */
export async function requestSend(
  deps: NewsletterDeps,
  id: string,
  req: { at?: string | undefined; timezone?: string | undefined; actor: string },
): Promise<Newsletter> {
  if (req.at === undefined) return startSend(deps, id, { actor: req.actor });
  const when = parsePublishTime(req.at, req.timezone ?? deps.config.timezone);
  if (whenToRun(when.at) === 'now') return startSend(deps, id, { actor: req.actor });
  return schedule(deps, id, when.at, req.actor);
}

async function schedule(deps: NewsletterDeps, id: string, at: string, actor: string): Promise<Newsletter> {
  assertReadyToSend(newsletterSettings(deps.config));
  const newsletter = await getNewsletter(deps.store.db, id);
  if (!canDoNewsletter('schedule', newsletter.status)) refuse('schedule', newsletter);
  await deps.queues.ensureAvailable();
  await checkTemplates(
    deps,
    newsletter,
    await loadItems(deps.store.db, newsletter.itemIds, {
      requirePublished: false,
      publicUrl: deps.config.publicUrl,
    }),
  );
  const token = newScheduleToken();
  const moved = await deps.store.transaction(async (trx) => {
    const ok = await transitionNewsletter(trx, id, allowedFrom('schedule'), {
      status: 'scheduled',
      scheduledAt: at,
      scheduleToken: token,
    });
    if (ok)
      await recordAudit(trx, {
        actor,
        action: 'newsletter_scheduled',
        subjectType: 'newsletter',
        subjectId: id,
        details: { at },
      });
    return ok;
  });
  if (!moved) refuse('schedule', await getNewsletter(deps.store.db, id));
  await tryRedis(deps, 'schedule the newsletter', async () => {
    await deps.queues.enqueueNewsletterStart(id, token, at);
    if (newsletter.scheduleToken) await removeStart(deps.queues, id, newsletter.scheduleToken);
  });
  return getNewsletter(deps.store.db, id);
}

/**
 * The outbox step: in one transaction the newsletter becomes `sending`, its items are snapshotted and
 * one row per eligible contact is written; the jobs are added after the commit. With `expectedToken`
 * (a scheduled start firing) a stale schedule does nothing.
 */
export async function startSend(
  deps: NewsletterDeps,
  id: string,
  opts: { actor: string; expectedToken?: string },
): Promise<Newsletter> {
  const settings = newsletterSettings(deps.config);
  assertReadyToSend(settings);
  const newsletter = await getNewsletter(deps.store.db, id);
  if (
    opts.expectedToken !== undefined &&
    (newsletter.status !== 'scheduled' || newsletter.scheduleToken !== opts.expectedToken)
  )
    return newsletter;
  if (!canDoNewsletter('send', newsletter.status)) refuse('send', newsletter);
  await deps.queues.ensureAvailable();
  const items = await loadItems(deps.store.db, newsletter.itemIds, {
    requirePublished: true,
    publicUrl: deps.config.publicUrl,
  });
  const layout = await checkTemplates(deps, newsletter, items);
  const from: readonly NewsletterStatus[] =
    opts.expectedToken !== undefined ? ['scheduled'] : allowedFrom('send');
  const total = await deps.store.transaction(async (trx) => {
    const current = await getNewsletter(trx, id);
    if (opts.expectedToken !== undefined && current.scheduleToken !== opts.expectedToken) return null;
    const audience = await eligibleContacts(
      trx,
      newsletter.kind,
      deps.config.newsletter.audiences[newsletter.kind],
    );
    const now = nowIso();
    const moved = await transitionNewsletter(trx, id, from, {
      status: 'sending',
      content: toJson(items),
      layout,
      startedAt: now,
      recipientsTotal: audience.length,
      scheduleToken: null,
    });
    if (!moved) return null;
    await insertRecipients(trx, id, audience);
    await recordAudit(trx, {
      actor: opts.actor,
      action: 'newsletter_send_started',
      subjectType: 'newsletter',
      subjectId: id,
      details: { recipients: audience.length },
    });
    return audience.length;
  });
  if (total === null) {
    const now = await getNewsletter(deps.store.db, id);
    if (opts.expectedToken !== undefined) return now;
    refuse('send', now);
  }
  deps.log.info({ newsletterId: id, recipients: total }, 'newsletter send started');
  if (newsletter.scheduleToken)
    await tryRedis(deps, 'remove the start job', () =>
      removeStart(deps.queues, id, newsletter.scheduleToken!),
    );
  await tryRedis(deps, 'enqueue the recipients', () => enqueueOpenRecipients(deps, id));
  await finishIfDone(deps.store, id);
  return getNewsletter(deps.store.db, id);
}

/** A sending newsletter with no open recipient left becomes `sent`. */
export async function finishIfDone(store: Store, id: string): Promise<boolean> {
  if (await hasOpenRecipients(store.db, id)) return false;
  return transitionNewsletter(store.db, id, ['sending'], { status: 'sent', sentAt: nowIso() });
}

async function move(
  deps: NewsletterDeps,
  id: string,
  action: NewsletterAction,
  to: NewsletterStatus,
  actor: string,
  alsoInTrx?: (trx: Store['db']) => Promise<unknown>,
): Promise<Newsletter> {
  const before = await getNewsletter(deps.store.db, id);
  if (!canDoNewsletter(action, before.status)) refuse(action, before);
  const moved = await deps.store.transaction(async (trx) => {
    const ok = await transitionNewsletter(trx, id, allowedFrom(action), {
      status: to,
      ...(to === 'cancelled' ? { scheduleToken: null } : {}),
    });
    if (!ok) return false;
    await alsoInTrx?.(trx);
    await recordAudit(trx, {
      actor,
      action: `newsletter_${action}`,
      subjectType: 'newsletter',
      subjectId: id,
      details: { from: before.status },
    });
    return true;
  });
  if (!moved) refuse(action, await getNewsletter(deps.store.db, id));
  return before;
}

/** Stops taking recipients; messages already handed to the server finish. Nothing is ever sent twice. */
export async function pauseSend(deps: NewsletterDeps, id: string, actor: string): Promise<Newsletter> {
  await move(deps, id, 'pause', 'paused', actor);
  await tryRedis(deps, 'remove waiting jobs', () => removeRecipientJobs(deps, id));
  return getNewsletter(deps.store.db, id);
}

export async function resumeSend(deps: NewsletterDeps, id: string, actor: string): Promise<Newsletter> {
  await deps.queues.ensureAvailable();
  await move(deps, id, 'resume', 'sending', actor);
  await tryRedis(deps, 'enqueue the recipients', () => enqueueOpenRecipients(deps, id));
  await finishIfDone(deps.store, id);
  return getNewsletter(deps.store.db, id);
}

/** Cancels what has not gone out; rows being sent at this moment finish and are recorded. */
export async function cancelSend(deps: NewsletterDeps, id: string, actor: string): Promise<Newsletter> {
  const before = await move(deps, id, 'cancel', 'cancelled', actor, (trx) =>
    moveRecipients(trx, id, ['pending', 'deferred'], 'cancelled', `newsletter cancelled by ${actor}`),
  );
  if (before.scheduleToken)
    await tryRedis(deps, 'remove the start job', () => removeStart(deps.queues, id, before.scheduleToken!));
  await tryRedis(deps, 'remove waiting jobs', () => removeRecipientJobs(deps, id, ['cancelled']));
  return getNewsletter(deps.store.db, id);
}

/**
 * The explicit decision about recipients whose outcome is unknown (transmission started, no reply):
 * send them again, with the same Message-ID.
 */
export async function resendUnknown(
  deps: NewsletterDeps,
  id: string,
  actor: string,
): Promise<{ newsletter: Newsletter; resent: number }> {
  const before = await getNewsletter(deps.store.db, id);
  if (!canDoNewsletter('resolve', before.status)) refuse('resolve', before);
  await deps.queues.ensureAvailable();
  const resent = await deps.store.transaction(async (trx) => {
    const n = await moveRecipients(
      trx,
      id,
      ['unknown'],
      'pending',
      `outcome unknown; sent again with the same Message-ID as decided by ${actor}`,
    );
    if (n > 0) {
      await transitionNewsletter(trx, id, ['sent'], { status: 'sending', sentAt: null });
      await recordAudit(trx, {
        actor,
        action: 'newsletter_resend_unknown',
        subjectType: 'newsletter',
        subjectId: id,
        details: { recipients: n },
      });
    }
    return n;
  });
  const now = await getNewsletter(deps.store.db, id);
  if (resent > 0 && now.status === 'sending')
    await tryRedis(deps, 'enqueue the recipients', () => enqueueOpenRecipients(deps, id));
  return { newsletter: now, resent };
}
