import type { Logger } from 'pino';
import { ConflictError, ValidationError } from '../domain/errors.js';
import { canDo, editableFields, type NewsItem } from '../domain/item.js';
import type { Delivery } from '../domain/delivery.js';
import { planPublication, planWithdrawal, type DeliveryTarget } from '../domain/publication.js';
import { parsePublishTime, whenToRun } from '../domain/schedule.js';
import { newScheduleToken } from '../store/ids.js';
import type { Store } from '../store/db.js';
import { nowIso } from '../store/db.js';
import {
  cancelPendingDeliveries,
  getDelivery,
  insertDeliveries,
  listDeliveriesForItem,
  retryDelivery,
} from '../store/deliveries.js';
import { getItem, updateItemFields, updateItemState } from '../store/items.js';
import { recordAudit } from '../store/audit.js';
import { toJson } from '../store/json.js';
import { findReview } from '../store/reviews.js';
import { tryRedis, type Queues } from '../queues/producer.js';

export interface FlowDeps {
  store: Store;
  queues: Queues;
  log: Logger;
  timezone: string;
  /** The four-eyes rule: nothing goes out without an approval by someone other than its author. */
  requireReview?: boolean | undefined;
  /** Where items can go right now (configured accounts, feeds, newsletter). */
  targets(item: NewsItem): DeliveryTarget[];
}

export interface PublishRequest {
  at?: string | undefined;
  timezone?: string | undefined;
  channels?: string[] | undefined;
  announce?: boolean | undefined;
  actor: string;
}

export interface PublishOutcome {
  item: NewsItem;
  deliveries: Delivery[];
  /** False when nothing changed (the same revision was already published or scheduled identically). */
  changed: boolean;
  scheduled: boolean;
}

const isApproved = async (db: Store['db'], itemId: string) =>
  (await findReview(db, itemId)).state === 'approved';

/** Publishes now or schedules; see the README's "publish flow". */
export async function requestPublish(
  deps: FlowDeps,
  itemId: string,
  req: PublishRequest,
): Promise<PublishOutcome> {
  await deps.queues.ensureAvailable();
  if (deps.requireReview && !(await isApproved(deps.store.db, itemId)))
    throw new ConflictError(
      'this item needs approval by someone other than its author before it goes out (submit it for review)',
      'review_required',
    );
  const when = req.at === undefined ? null : parsePublishTime(req.at, req.timezone ?? deps.timezone);
  if (when && whenToRun(when.at) === 'later') return schedule(deps, itemId, when, req);
  return publishNow(deps, itemId, {
    channels: req.channels,
    announce: req.announce,
    actor: req.actor,
    checkChannels: true,
  });
}

export function validateChannels(deps: FlowDeps, item: NewsItem, channels: string[] | undefined): void {
  if (!channels) return;
  const known = new Set(
    deps
      .targets(item)
      .filter((t) => t.kind === 'channel')
      .map((t) => t.target),
  );
  const unknown = channels.filter((c) => !known.has(c));
  if (unknown.length > 0)
    throw new ValidationError({
      channels: `unknown channel account(s): ${unknown.join(', ')} (known: ${[...known].join(', ') || 'none'})`,
    });
}

/**
 * The channels and announcement a publish goes with: those the request gives, else (publishing or moving a
 * scheduled item) those its schedule chose, else every channel and no announcement.
 */
function choicesFor(
  item: NewsItem,
  given: { channels?: string[] | null | undefined; announce?: boolean | undefined },
): { channels: string[] | null; announce: boolean } {
  const scheduled = item.status === 'scheduled';
  return {
    channels: given.channels !== undefined ? given.channels : scheduled ? item.publishChannels : null,
    announce: given.announce ?? (scheduled && item.announce),
  };
}

/** Reads the item and its deliveries once, in the transaction that changes them. */
async function schedule(
  deps: FlowDeps,
  itemId: string,
  when: { at: string; timezone: string },
  req: PublishRequest,
): Promise<PublishOutcome> {
  const token = newScheduleToken();
  const { item, previousToken, deliveries } = await deps.store.transaction(async (trx) => {
    const item = await getItem(trx, itemId);
    validateChannels(deps, item, req.channels);
    if (item.status === 'published' && item.publishedRevision === item.revision) {
      throw new ConflictError(
        'this revision is already published; edit the item to publish a new revision',
        'already_published',
      );
    }
    const previousToken = item.status === 'scheduled' ? item.scheduleToken : null;
    const { channels, announce } = choicesFor(item, req);
    const deliveries = await listDeliveriesForItem(trx, itemId);
    const scheduled = await updateItemState(trx, item.id, {
      status: 'scheduled',
      publishAt: when.at,
      publishTimezone: when.timezone,
      publishChannels: channels ? toJson(channels) : null,
      announce: announce ? 1 : 0,
      scheduleToken: token,
    });
    await recordAudit(trx, {
      actor: req.actor,
      action: previousToken ? 'rescheduled' : 'scheduled',
      subjectType: 'item',
      subjectId: item.id,
      details: { at: when.at, timezone: when.timezone, channels: channels ?? 'all' },
    });
    return { item: scheduled ?? item, previousToken, deliveries };
  });
  await tryRedis(deps, 'schedule', async () => {
    await deps.queues.enqueuePublish(item.id, token, when.at);
    if (previousToken) await deps.queues.removePublish(item.id, previousToken);
  });
  return { item, deliveries, changed: true, scheduled: true };
}

/** Keys `kind|target` where a create/update is delivered or on its way (never create those twice). */
function deliveredKeys(deliveries: Delivery[]): Set<string> {
  return new Set(
    deliveries
      .filter(
        (d) =>
          (d.action === 'create' || d.action === 'update') &&
          ['pending', 'running', 'done'].includes(d.status),
      )
      .map((d) => `${d.kind}|${d.target}`),
  );
}

function chosenTargets(
  deps: FlowDeps,
  item: NewsItem,
  channels: string[] | null,
  announce: boolean,
): DeliveryTarget[] {
  return deps
    .targets({ ...item, announce })
    .filter((t) => t.kind !== 'channel' || !channels || channels.includes(t.target));
}

/** Publishing now with the given choices, or what a schedule chose when its token is still the item's. */
export type PublishNowOptions = { actor: string } & (
  | {
      /** Undefined: what the item's schedule chose (every channel, no announcement when not scheduled). */
      channels?: string[] | null | undefined;
      announce?: boolean | undefined;
      checkChannels?: boolean;
    }
  | { expectedScheduleToken: string }
);

const inDeliveryOrder = (a: Delivery, b: Delivery) =>
  a.revision - b.revision ||
  a.createdAt.localeCompare(b.createdAt) ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The outbox step: in one transaction the item becomes published and its deliveries are written; jobs
 * are enqueued after the commit (a lost enqueue is repaired by the reconciler). Publishing the revision
 * that is already published does nothing. The item and its deliveries are read once, in that transaction.
 */
export async function publishNow(
  deps: FlowDeps,
  itemId: string,
  opts: PublishNowOptions,
): Promise<PublishOutcome> {
  const result = await deps.store.transaction(async (trx) => {
    let item = await getItem(trx, itemId);
    const existing = await listDeliveriesForItem(trx, itemId);
    const unchanged = { item, deliveries: existing, created: [] as Delivery[], changed: false };
    const fromSchedule = 'expectedScheduleToken' in opts;
    if (fromSchedule && (item.status !== 'scheduled' || item.scheduleToken !== opts.expectedScheduleToken))
      return unchanged;
    // Edited after its approval: it waits, scheduled, until it is approved again (approving reschedules it).
    if (fromSchedule && deps.requireReview && !(await isApproved(trx, itemId))) return unchanged;
    const { channels, announce } = choicesFor(item, fromSchedule ? {} : opts);
    if (!fromSchedule && opts.checkChannels) validateChannels(deps, item, opts.channels ?? undefined);
    if (item.status === 'published' && item.publishedRevision === item.revision) return unchanged;
    if (item.status === 'withdrawn') {
      // Republishing after a withdrawal is a new revision, so its deliveries do not collide with the old ones.
      item = await updateItemFields(trx, item, editableFields(item), opts.actor);
    }
    const targets = chosenTargets(deps, item, channels, announce);
    const planned = planPublication(item, targets, deliveredKeys(existing));
    const created = await insertDeliveries(trx, itemId, item.revision, planned, existing);
    const published = await updateItemState(trx, itemId, {
      status: 'published',
      publishedRevision: item.revision,
      publishedAt: item.publishedAt ?? nowIso(),
      withdrawnAt: null,
      publishAt: null,
      scheduleToken: null,
      publishChannels: channels ? toJson(channels) : null,
      announce: announce ? 1 : 0,
    });
    await recordAudit(trx, {
      actor: opts.actor,
      action: 'published',
      subjectType: 'item',
      subjectId: itemId,
      details: {
        revision: item.revision,
        deliveries: created.map((d) => `${d.kind}:${d.target}:${d.action}`),
      },
    });
    const deliveries = [...existing, ...created].sort(inDeliveryOrder);
    return { item: published ?? item, deliveries, created, changed: true };
  });
  await enqueueAll(deps, result.created);
  return { item: result.item, deliveries: result.deliveries, changed: result.changed, scheduled: false };
}

async function enqueueAll(deps: FlowDeps, deliveries: Delivery[]): Promise<void> {
  await tryRedis(deps, 'enqueue deliveries', () =>
    Promise.all(deliveries.map((d) => deps.queues.enqueueDelivery(d))),
  );
}

/** Stops a scheduled publication; the item goes back to draft. */
export async function cancelSchedule(deps: FlowDeps, itemId: string, actor: string): Promise<NewsItem> {
  const token = await deps.store.transaction(async (trx) => {
    const item = await getItem(trx, itemId);
    if (!canDo('cancel', item.status))
      throw new ConflictError(
        `only a scheduled item can be cancelled; this one is ${item.status}`,
        'not_scheduled',
      );
    await updateItemState(trx, itemId, {
      status: item.publishedRevision === null ? 'draft' : 'published',
      publishAt: null,
      publishTimezone: null,
      scheduleToken: null,
    });
    await recordAudit(trx, {
      actor,
      action: 'cancelled',
      subjectType: 'item',
      subjectId: itemId,
      details: { at: item.publishAt },
    });
    return item.scheduleToken;
  });
  if (token) await tryRedis(deps, 'remove the publish job', () => deps.queues.removePublish(itemId, token));
  return getItem(deps.store.db, itemId);
}

/** Takes an item off the feeds, cancels what has not gone out, and deletes posts when asked. */
export async function withdraw(
  deps: FlowDeps,
  itemId: string,
  opts: { deletePosts: boolean; actor: string },
): Promise<PublishOutcome> {
  await deps.queues.ensureAvailable();
  const result = await deps.store.transaction(async (trx) => {
    const item = await getItem(trx, itemId);
    if (!canDo('withdraw', item.status))
      throw new ConflictError(
        `only a published or scheduled item can be withdrawn; this one is ${item.status}`,
        'not_published',
      );
    const cancelled = await cancelPendingDeliveries(trx, itemId);
    const existing = await listDeliveriesForItem(trx, itemId);
    const done = new Set(
      existing
        .filter((d) => d.status === 'done' && d.action !== 'delete')
        .map((d) => `${d.kind}|${d.target}`),
    );
    const planned = planWithdrawal(deps.targets(item), done, opts.deletePosts);
    const created = await insertDeliveries(trx, itemId, item.revision, planned);
    await updateItemState(trx, itemId, {
      status: 'withdrawn',
      withdrawnAt: nowIso(),
      publishAt: null,
      scheduleToken: null,
    });
    await recordAudit(trx, {
      actor: opts.actor,
      action: 'withdrawn',
      subjectType: 'item',
      subjectId: itemId,
      details: { deletePosts: opts.deletePosts, cancelled: cancelled.length },
    });
    return { created, token: item.scheduleToken };
  });
  if (result.token)
    await tryRedis(deps, 'remove the publish job', () => deps.queues.removePublish(itemId, result.token!));
  await enqueueAll(deps, result.created);
  return {
    item: await getItem(deps.store.db, itemId),
    deliveries: await listDeliveriesForItem(deps.store.db, itemId),
    changed: true,
    scheduled: false,
  };
}

/** A person retries a failed delivery. */
export async function retryFailedDelivery(
  deps: FlowDeps,
  deliveryId: string,
  actor: string,
): Promise<Delivery> {
  const delivery = await getDelivery(deps.store.db, deliveryId);
  if (delivery.status !== 'failed')
    throw new ConflictError(
      `only a failed delivery can be retried; this one is ${delivery.status}`,
      'not_failed',
    );
  await deps.queues.ensureAvailable();
  const moved = await retryDelivery(deps.store.db, deliveryId);
  if (!moved) throw new ConflictError('the delivery changed meanwhile; reload and try again', 'changed');
  await recordAudit(deps.store.db, {
    actor,
    action: 'retried',
    subjectType: 'item',
    subjectId: delivery.itemId,
    details: { delivery: deliveryId, target: delivery.target },
  });
  const fresh = await getDelivery(deps.store.db, deliveryId);
  await tryRedis(deps, 'enqueue the retry', () => deps.queues.enqueueDelivery(fresh));
  return fresh;
}
