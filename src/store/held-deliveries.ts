// Holding and releasing deliveries (see src/domain/account-hold.ts): a held delivery is `pending` with a
// `hold` in its progress and no job; releasing it removes the hold, and the caller enqueues it.
import type { Kysely } from 'kysely';
import type { Delivery, ErrorKind } from '../domain/delivery.js';
import { deliveryHold, type DeliveryHold } from '../domain/account-hold.js';
import type { Database } from './schema.js';
import { nowIso } from './db.js';
import { toJson } from './json.js';
import { releaseDelivery, rowToDelivery } from './deliveries.js';

type Db = Kysely<Database>;

/**
 * Gives a running delivery back as pending and held: the attempt is refunded (holding is nobody's fault) and
 * the error kind says whether the next attempt must look for an earlier post first. One statement, while this
 * attempt still owns the delivery.
 */
export async function holdRunningDelivery(
  db: Db,
  delivery: Delivery,
  errorKind: ErrorKind,
  message: string,
  hold: DeliveryHold,
): Promise<boolean> {
  delivery.progress = { ...delivery.progress, hold };
  return releaseDelivery(db, delivery.id, errorKind, message, null, {
    refundAttempt: true,
    progress: delivery.progress,
  });
}

/** Held channel deliveries, oldest first: of one account, or every one. */
export async function listHeldDeliveries(db: Db, filter: { target?: string } = {}): Promise<Delivery[]> {
  let query = db
    .selectFrom('deliveries')
    .selectAll()
    .where('kind', '=', 'channel')
    .where('status', '=', 'pending');
  if (filter.target) query = query.where('target', '=', filter.target);
  const rows = await query.orderBy('createdAt').execute();
  return rows.map(rowToDelivery).filter((d) => deliveryHold(d.progress) !== null);
}

/**
 * Removes a held delivery's hold (with `extra` progress, e.g. a person's approval of its cost); false when it
 * was no longer held as read. The caller enqueues it.
 */
export async function unholdDelivery(
  db: Db,
  delivery: Delivery,
  extra: Record<string, unknown> = {},
): Promise<boolean> {
  const { hold: _hold, ...rest } = delivery.progress;
  const result = await db
    .updateTable('deliveries')
    .set({
      progress: toJson({ ...rest, ...extra }),
      errorKind: delivery.errorKind === 'held' ? null : delivery.errorKind,
      lastError: null,
      updatedAt: nowIso(),
    })
    .where('id', '=', delivery.id)
    .where('status', '=', 'pending')
    .where('updatedAt', '=', delivery.updatedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
