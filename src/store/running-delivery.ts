// What a worker writes about a delivery it works on: progress while running, completion, why it waits.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { nowIso } from './db.js';
import { toJson } from './json.js';
import { completeDelivery } from './deliveries.js';
import { HotStatement } from './prepared.js';
import type { Delivery } from '../domain/delivery.js';

/**
 * Says why an open delivery is waiting, without touching its status, attempts or error kind (the kind decides
 * whether the next attempt looks for an earlier post first). Only over no error or an earlier rate limit.
 */
export async function noteWaitingDelivery(db: Kysely<Database>, id: string, message: string): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ lastError: message, updatedAt: nowIso() })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'running'])
    .where((eb) => eb.or([eb('errorKind', 'is', null), eb('errorKind', '=', 'rate_limited')]))
    .execute();
}

/**
 * Writes a running delivery's whole progress (the claim's copy, already merged in memory): one statement, no
 * read first. Only while it is still running, i.e. still this attempt's.
 */
export async function writeRunningProgress(
  db: Kysely<Database>,
  id: string,
  progress: Record<string, unknown>,
): Promise<void> {
  await progressWrite.changes(db, { id, progress: toJson(progress), now: nowIso() });
}

const progressWrite = new HotStatement(
  (db: Kysely<Database>, a: { id: string; progress: string; now: string }) =>
    db
      .updateTable('deliveries')
      .set({ progress: a.progress, updatedAt: a.now })
      .where('id', '=', a.id)
      .where('status', '=', 'running'),
);

/**
 * Records a running delivery as done. Details the attempt already saved as progress (a thread's tweet ids) are
 * not read back and written again; new ones are merged into the claim's copy and written with the completion.
 */
export async function completeRunningDelivery(
  db: Kysely<Database>,
  delivery: Delivery,
  result: {
    remoteId: string | null;
    remoteUrl: string | null;
    details?: Record<string, unknown> | undefined;
  },
): Promise<boolean> {
  const details = result.details ?? {};
  const fresh = Object.entries(details).some(
    ([key, value]) => toJson(delivery.progress[key]) !== toJson(value),
  );
  if (fresh) delivery.progress = { ...delivery.progress, ...details };
  // One statement: the new details (e.g. the last status id) are written with the completion.
  return completeDelivery(db, delivery.id, {
    remoteId: result.remoteId,
    remoteUrl: result.remoteUrl,
    ...(fresh ? { progress: delivery.progress } : {}),
  });
}
