import type { Kysely, Selectable } from 'kysely';
import {
  statusesThatCanBecome,
  type Delivery,
  type DeliveryAction,
  type DeliveryKind,
  type DeliveryStatus,
  type ErrorKind,
} from '../domain/delivery.js';
import type { PlannedDelivery } from '../domain/publication.js';
import type { Database, DeliveriesTable } from './schema.js';
import { nowIso } from './db.js';
import { newId } from './ids.js';
import { parseJson, toJson } from './json.js';
import { foundOrThrow } from './found.js';
import { countByStatus } from './counts.js';
import { HotStatement } from './prepared.js';

type Db = Kysely<Database>;

export function rowToDelivery(row: Selectable<DeliveriesTable>): Delivery {
  return {
    id: row.id,
    itemId: row.itemId,
    revision: row.revision,
    kind: row.kind as DeliveryKind,
    target: row.target,
    action: row.action as DeliveryAction,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    lastError: row.lastError,
    errorKind: row.errorKind as ErrorKind | null,
    remoteId: row.remoteId,
    remoteUrl: row.remoteUrl,
    progress: parseJson(row.progress, {}),
    nextAttemptAt: row.nextAttemptAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Inserts the planned deliveries of one item revision; ones that already exist are left as they are. A caller
 * that has just read the item's deliveries (in the same transaction) passes them as `existing`.
 */
export async function insertDeliveries(
  trx: Db,
  itemId: string,
  revision: number,
  planned: PlannedDelivery[],
  existing?: readonly Delivery[],
): Promise<Delivery[]> {
  const now = nowIso();
  existing ??= await listDeliveriesForItem(trx, itemId);
  const key = (d: PlannedDelivery & { revision: number }) =>
    `${d.revision}|${d.kind}|${d.target}|${d.action}`;
  const have = new Set(existing.map(key));
  const fresh = planned.filter((p) => !have.has(key({ ...p, revision })));
  if (fresh.length === 0) return [];
  const rows = fresh.map((p) => ({
    id: newId('dlv'),
    itemId,
    revision,
    kind: p.kind,
    target: p.target,
    action: p.action,
    status: 'pending',
    attempts: 0,
    progress: '{}',
    createdAt: now,
    updatedAt: now,
  }));
  const inserted = await trx.insertInto('deliveries').values(rows).returningAll().execute();
  return inserted.map(rowToDelivery);
}

export async function findDelivery(db: Db, id: string): Promise<Delivery | null> {
  const row = await db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToDelivery(row) : null;
}

export const getDelivery = (db: Db, id: string): Promise<Delivery> =>
  foundOrThrow(findDelivery(db, id), 'delivery', id);

export async function listDeliveriesForItem(db: Db, itemId: string): Promise<Delivery[]> {
  const rows = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('itemId', '=', itemId)
    .orderBy('revision')
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return rows.map(rowToDelivery);
}

/** Moves a delivery to `to` only if its current status allows it; returns whether it moved. */
async function transition(
  db: Db,
  id: string,
  to: DeliveryStatus,
  set: Partial<Selectable<DeliveriesTable>>,
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ ...set, status: to, updatedAt: nowIso() })
    .where('id', '=', id)
    .where('status', 'in', statusesThatCanBecome(to))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface Claim {
  delivery: Delivery;
  /** The previous attempt may have reached the platform (it was cut off while running, or failed uncertainly). */
  outcomeUnknown: boolean;
}

/** Error kinds after which the outcome of the previous attempt is uncertain. */
const UNCERTAIN = ['running-cut-off', 'transient', 'unknown_outcome'];

/**
 * Marks a delivery running before any side effect, in one atomic statement (no two workers can both
 * claim it from pending). A delivery found already `running` was cut off mid-attempt: it is claimed
 * again and flagged `unknown_outcome`. Null when it is not (or no longer) runnable.
 */
const claim = new HotStatement((db: Db, a: { id: string; now: string }) =>
  db
    .updateTable('deliveries')
    .set((eb) => ({
      status: 'running',
      attempts: eb('attempts', '+', 1),
      // Right-hand sides read the row as it was: a row still `running` was cut off mid-attempt.
      errorKind: eb
        .case()
        .when('status', '=', 'running')
        .then('unknown_outcome')
        .else(eb.ref('errorKind'))
        .end(),
      startedAt: a.now,
      nextAttemptAt: null,
      updatedAt: a.now,
    }))
    .where('id', '=', a.id)
    .where('status', 'in', ['pending', 'running'])
    .returningAll(),
);

export async function claimDelivery(db: Db, id: string): Promise<Claim | null> {
  const [row] = await claim.rows(db, { id, now: nowIso() });
  if (!row) return null;
  const delivery = rowToDelivery(row);
  return { delivery, outcomeUnknown: UNCERTAIN.includes(delivery.errorKind ?? '') };
}

/**
 * True while the attempt numbered `attempts` still owns the delivery: it is running and no other worker has
 * claimed it since (a claim always increments `attempts`, so the number works as a fencing token).
 */
const holding = new HotStatement((db: Db, a: { id: string; attempts: number }) =>
  db
    .selectFrom('deliveries')
    .select('id')
    .where('id', '=', a.id)
    .where('status', '=', 'running')
    .where('attempts', '=', a.attempts),
);

export async function holdsClaim(db: Db, id: string, attempts: number): Promise<boolean> {
  return (await holding.rows(db, { id, attempts })).length > 0;
}

export async function completeDelivery(
  db: Db,
  id: string,
  result: {
    remoteId: string | null;
    remoteUrl: string | null;
    details?: Record<string, unknown> | undefined;
    /** The whole progress, already merged by the caller (written as is, without reading the row). */
    progress?: Record<string, unknown> | undefined;
  },
): Promise<boolean> {
  const progress = result.progress
    ? toJson(result.progress)
    : result.details
      ? toJson({ ...(await getDelivery(db, id)).progress, ...result.details })
      : undefined;
  const done = {
    id,
    remoteId: result.remoteId,
    remoteUrl: result.remoteUrl,
    finishedAt: nowIso(),
    now: nowIso(),
  };
  const changed = progress
    ? await completion.withProgress.changes(db, { ...done, progress })
    : await completion.plain.changes(db, done);
  return changed === 1;
}

interface Completion {
  id: string;
  remoteId: string | null;
  remoteUrl: string | null;
  finishedAt: string;
  now: string;
}

/** `transition(db, id, 'done', …)` as hot statements: with the whole progress written, and without. */
const completion = {
  plain: new HotStatement((db: Db, a: Completion) => completing(db, a, {})),
  withProgress: new HotStatement((db: Db, a: Completion & { progress: string }) =>
    completing(db, a, { progress: a.progress }),
  ),
};

function completing(db: Db, a: Completion, progress: { progress?: string }) {
  return db
    .updateTable('deliveries')
    .set({
      remoteId: a.remoteId,
      remoteUrl: a.remoteUrl,
      ...progress,
      lastError: null,
      errorKind: null,
      finishedAt: a.finishedAt,
      status: 'done',
      updatedAt: a.now,
    })
    .where('id', '=', a.id)
    .where('status', 'in', statusesThatCanBecome('done'));
}

export async function failDelivery(
  db: Db,
  id: string,
  errorKind: ErrorKind,
  message: string,
): Promise<boolean> {
  return transition(db, id, 'failed', { errorKind, lastError: message, finishedAt: nowIso() });
}

/** Back to pending after a transient error or a rate limit; the job retries at `nextAttemptAt`. */
export async function releaseDelivery(
  db: Db,
  id: string,
  errorKind: ErrorKind,
  message: string,
  nextAttemptAt: string | null,
  opts: { refundAttempt?: boolean; progress?: Record<string, unknown> } = {},
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set((eb) => ({
      status: 'pending',
      errorKind,
      lastError: message,
      nextAttemptAt,
      updatedAt: nowIso(),
      ...(opts.refundAttempt ? { attempts: eb('attempts', '-', 1) } : {}),
      ...(opts.progress ? { progress: toJson(opts.progress) } : {}),
    }))
    .where('id', '=', id)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Undoes a claim that did nothing (the account's rate gate was closed): status, attempts and error as before. */
export async function unclaimDelivery(db: Db, before: Delivery, nextAttemptAt: string): Promise<void> {
  const wasCutOff = before.errorKind === 'unknown_outcome';
  await db
    .updateTable('deliveries')
    .set((eb) => ({
      status: wasCutOff ? 'running' : 'pending',
      attempts: eb('attempts', '-', 1),
      nextAttemptAt,
      updatedAt: nowIso(),
    }))
    .where('id', '=', before.id)
    .where('status', '=', 'running')
    .execute();
}

/** A person asks for another try of a failed delivery. */
export async function retryDelivery(db: Db, id: string): Promise<boolean> {
  return transition(db, id, 'pending', { nextAttemptAt: null, finishedAt: null, attempts: 0 });
}

export async function cancelPendingDeliveries(db: Db, itemId: string): Promise<string[]> {
  const pending = await db
    .selectFrom('deliveries')
    .select('id')
    .where('itemId', '=', itemId)
    .where('status', '=', 'pending')
    .execute();
  const ids = pending.map((p) => p.id);
  if (ids.length === 0) return [];
  await db
    .updateTable('deliveries')
    .set({ status: 'cancelled', finishedAt: nowIso(), updatedAt: nowIso() })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
  return ids;
}

/** Deliveries not finished yet (the reconciler checks each has a job). */
export async function listOpenDeliveries(db: Db, limit = 5_000): Promise<Delivery[]> {
  const rows = await db
    .selectFrom('deliveries')
    .innerJoin('items', 'items.id', 'deliveries.itemId')
    .selectAll('deliveries')
    .where('deliveries.status', 'in', ['pending', 'running'])
    .where('items.status', 'in', ['published', 'withdrawn'])
    .orderBy('deliveries.createdAt')
    .limit(limit)
    .execute();
  return rows.map(rowToDelivery);
}

export async function listFailedDeliveries(db: Db, limit = 100): Promise<Delivery[]> {
  const rows = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('status', '=', 'failed')
    .orderBy('updatedAt', 'desc')
    .limit(limit)
    .execute();
  return rows.map(rowToDelivery);
}

export const countDeliveriesByStatus = (db: Db): Promise<Record<string, number>> =>
  countByStatus(db, 'deliveries');

/** The last completed `create` (or `update`) of an item on one target: what later updates and deletes act on. */
export async function latestDoneDelivery(
  db: Db,
  itemId: string,
  kind: DeliveryKind,
  target: string,
): Promise<Delivery | null> {
  const row = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('itemId', '=', itemId)
    .where('kind', '=', kind)
    .where('target', '=', target)
    .where('status', '=', 'done')
    .where('action', 'in', ['create', 'update'])
    .orderBy('revision', 'desc')
    .orderBy('finishedAt', 'desc')
    .executeTakeFirst();
  return row ? rowToDelivery(row) : null;
}

/**
 * Flags open `create` deliveries of `kind` as of unknown outcome (after a restore from a backup, something may
 * have been posted since): their next attempt looks for the post before posting. Returns how many.
 */
export async function markOpenCreatesUncertain(db: Db, kind: DeliveryKind, reason: string): Promise<number> {
  const result = await db
    .updateTable('deliveries')
    .set({ errorKind: 'unknown_outcome', lastError: reason, updatedAt: nowIso() })
    .where('kind', '=', kind)
    .where('action', '=', 'create')
    .where('status', 'in', ['pending', 'running'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
