import { sql, type Kysely } from 'kysely';
import type { Delivery } from '../domain/delivery.js';
import type { ItemStatus, NewsItem } from '../domain/item.js';
import type { Database } from './schema.js';
import { rowToDelivery } from './deliveries.js';
import { rowToItem } from './items.js';
import { countRows } from './counts.js';

// Read-only queries behind the staff pages (dashboard, item lists). Writes go through the flows.

type Db = Kysely<Database>;

/** Scheduled items due before `until` (overdue ones included), soonest first. */
export async function upcomingItems(db: Db, until: string, limit = 200): Promise<NewsItem[]> {
  const rows = await db
    .selectFrom('items')
    .selectAll()
    .where('status', '=', 'scheduled')
    .where('publishAt', '<=', until)
    .orderBy('publishAt')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(rowToItem);
}

export async function countScheduledAfter(db: Db, after: string): Promise<number> {
  const row = await db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'scheduled')
    .where('publishAt', '>', after)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Items whose deliveries moved most recently, each with every delivery of its latest revision. */
export async function recentActivity(
  db: Db,
  limit = 10,
): Promise<Array<{ item: NewsItem; deliveries: Delivery[] }>> {
  const latest = await db
    .selectFrom('deliveries')
    .select(['itemId', (eb) => eb.fn.max('updatedAt').as('last')])
    .groupBy('itemId')
    .orderBy('last', 'desc')
    .limit(limit)
    .execute();
  if (latest.length === 0) return [];
  const ids = latest.map((r) => r.itemId);
  const [items, deliveries] = await Promise.all([
    db.selectFrom('items').selectAll().where('id', 'in', ids).execute(),
    db
      .selectFrom('deliveries')
      .selectAll()
      .where('itemId', 'in', ids)
      .orderBy('revision', 'desc')
      .orderBy('createdAt')
      .orderBy('id')
      .execute(),
  ]);
  const byId = new Map(items.map((r) => [r.id, rowToItem(r)]));
  return ids.flatMap((id) => {
    const item = byId.get(id);
    if (!item) return [];
    const own = deliveries.filter((d) => d.itemId === id).map(rowToDelivery);
    const newest = Math.max(...own.map((d) => d.revision));
    return [{ item, deliveries: own.filter((d) => d.revision === newest) }];
  });
}

export interface FailedDelivery {
  delivery: Delivery;
  itemTitle: string;
}

export async function failedDeliveries(db: Db, limit = 50): Promise<FailedDelivery[]> {
  const rows = await db
    .selectFrom('deliveries')
    .innerJoin('items', 'items.id', 'deliveries.itemId')
    .selectAll('deliveries')
    .select('items.title as itemTitle')
    .where('deliveries.status', '=', 'failed')
    .orderBy('deliveries.updatedAt', 'desc')
    .limit(limit)
    .execute();
  return rows.map(({ itemTitle, ...row }) => ({ delivery: rowToDelivery(row), itemTitle }));
}

export interface ItemSearch {
  q?: string | undefined;
  status?: ItemStatus | undefined;
  limit: number;
  offset: number;
}

const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Items by title words and status, most recently changed first. */
export async function searchItems(db: Db, query: ItemSearch): Promise<{ items: NewsItem[]; total: number }> {
  let base = db.selectFrom('items');
  if (query.status) base = base.where('status', '=', query.status);
  if (query.q?.trim())
    base = base.where(
      sql<string>`lower(title)`,
      'like',
      sql<string>`${likePattern(query.q.trim())} escape '\\'`,
    );
  const [rows, total] = await Promise.all([
    base
      .selectAll()
      .orderBy('updatedAt', 'desc')
      .orderBy('id')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    countRows(base),
  ]);
  return { items: rows.map(rowToItem), total };
}
