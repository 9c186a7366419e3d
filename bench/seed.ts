// Batched seeding for the sized benchmarks. 100k items one by one through createItem and requestPublish
// would take longer than the measurement itself, so the same rows those flows write (the item and its
// first revision with an audit record; then its deliveries, its published state and an audit record)
// are inserted BATCH rows per statement, one transaction per batch. The jobs go through
// Queues.enqueueDelivery, exactly as publishNow enqueues them.
import type { Insertable } from 'kysely';
import type { Context } from '../src/app/context.js';
import { validateItemFields, type NewsItem } from '../src/domain/item.js';
import { planPublication } from '../src/domain/publication.js';
import type { Delivery } from '../src/domain/delivery.js';
import { nowIso } from '../src/store/db.js';
import { newId } from '../src/store/ids.js';
import { newDraftRow, rowToItem } from '../src/store/items.js';
import { toJson } from '../src/store/json.js';
import type { DeliveriesTable, ItemRevisionsTable, ItemsTable } from '../src/store/schema.js';

const BATCH = 500;
/** Jobs added at once: enough to keep the Redis connection's pipeline full. */
const ENQUEUE_CONCURRENCY = 250;

function chunks<T>(list: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Stores `count` draft items made by `make(i)` (validated as the API would) and returns their ids, in order. */
export async function seedDraftItems(
  ctx: Context,
  count: number,
  make: (i: number) => Record<string, unknown>,
  actor = 'bench',
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const now = nowIso();
    const rows: Array<Insertable<ItemsTable>> = [];
    const revisions: Array<Insertable<ItemRevisionsTable>> = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const fields = validateItemFields(make(i));
      const id = newId('itm');
      ids.push(id);
      rows.push(newDraftRow(id, fields, now));
      revisions.push({ itemId: id, revision: 1, fields: toJson(fields), actor, createdAt: now });
    }
    await ctx.store.transaction(async (trx) => {
      await trx.insertInto('items').values(rows).execute();
      await trx.insertInto('itemRevisions').values(revisions).execute();
      await trx
        .insertInto('auditLog')
        .values(
          rows.map((r) => ({
            at: now,
            actor,
            action: 'created',
            subjectType: 'item',
            subjectId: r.id,
            details: toJson({ revision: 1 }),
          })),
        )
        .execute();
    });
  }
  return ids;
}

/** What publishNow does for draft items, a batch at a time: deliveries planned and written with the new state, then enqueued. */
export async function publishDrafts(ctx: Context, ids: readonly string[], actor = 'bench'): Promise<number> {
  let enqueued = 0;
  for (const group of chunks(ids)) {
    const now = nowIso();
    const created = await ctx.store.transaction(async (trx) => {
      const items: NewsItem[] = (
        await trx.selectFrom('items').selectAll().where('id', 'in', group).execute()
      ).map(rowToItem);
      const rows: Array<Insertable<DeliveriesTable>> = [];
      const audits = [];
      const jobs: Array<Pick<Delivery, 'id' | 'kind' | 'nextAttemptAt'>> = [];
      for (const item of items) {
        if (item.status !== 'draft')
          throw new Error(`bench seed: item ${item.id} is ${item.status}, not a draft`);
        const planned = planPublication(item, ctx.targets(item), new Set());
        const mine = planned.map((p) => ({
          id: newId('dlv'),
          itemId: item.id,
          revision: item.revision,
          kind: p.kind,
          target: p.target,
          action: p.action,
          status: 'pending',
          attempts: 0,
          progress: '{}',
          createdAt: now,
          updatedAt: now,
        }));
        rows.push(...mine);
        jobs.push(...planned.map((p, k) => ({ id: mine[k]!.id, kind: p.kind, nextAttemptAt: null })));
        audits.push({
          at: now,
          actor,
          action: 'published',
          subjectType: 'item',
          subjectId: item.id,
          details: toJson({
            revision: item.revision,
            deliveries: mine.map((d) => `${d.kind}:${d.target}:${d.action}`),
          }),
        });
      }
      for (const part of chunks(rows)) await trx.insertInto('deliveries').values(part).execute();
      await trx
        .updateTable('items')
        .set({
          status: 'published',
          publishedRevision: 1,
          publishedAt: now,
          withdrawnAt: null,
          publishAt: null,
          scheduleToken: null,
          publishChannels: null,
          announce: 0,
          updatedAt: now,
        })
        .where('id', 'in', group)
        .execute();
      await trx.insertInto('auditLog').values(audits).execute();
      return jobs;
    });
    for (const part of chunks(created, ENQUEUE_CONCURRENCY))
      await Promise.all(part.map((d) => ctx.queues.enqueueDelivery(d)));
    enqueued += created.length;
  }
  return enqueued;
}
