import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { nowIso } from './db.js';
import { newId } from './ids.js';
import { parseJson, toJson } from './json.js';

export interface OutboxPost {
  id: string;
  deliveryId: string;
  accountId: string;
  itemId: string;
  platform: string;
  action: string;
  text: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** Records what a dry-run channel would have posted. Idempotent per delivery: returns the one stored. */
export async function recordOutboxPost(db: Kysely<Database>, post: Omit<OutboxPost, 'id' | 'createdAt'>): Promise<OutboxPost> {
  const inserted = await db
    .insertInto('outboxPosts')
    .values({ ...post, id: newId('out'), payload: toJson(post.payload), createdAt: nowIso() })
    .onConflict((oc) => oc.column('deliveryId').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { ...inserted, payload: post.payload };
  return (await findOutboxPostByDelivery(db, post.deliveryId))!;
}

export async function findOutboxPostByDelivery(db: Kysely<Database>, deliveryId: string): Promise<OutboxPost | null> {
  const row = await db.selectFrom('outboxPosts').selectAll().where('deliveryId', '=', deliveryId).executeTakeFirst();
  return row ? { ...row, payload: parseJson(row.payload, {}) } : null;
}

export async function findOutboxPost(db: Kysely<Database>, id: string): Promise<OutboxPost | null> {
  const row = await db.selectFrom('outboxPosts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, payload: parseJson(row.payload, {}) } : null;
}

export async function listOutboxPosts(db: Kysely<Database>, limit = 50, offset = 0): Promise<OutboxPost[]> {
  const rows = await db.selectFrom('outboxPosts').selectAll().orderBy('createdAt', 'desc').limit(limit).offset(offset).execute();
  return rows.map((r) => ({ ...r, payload: parseJson(r.payload, {}) }));
}

export async function countOutboxPosts(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('outboxPosts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
