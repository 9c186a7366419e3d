import type { Kysely, Selectable } from 'kysely';
import type { Database, DryRunPostsTable } from './schema.js';
import { nowIso } from './db.js';
import { newId } from './ids.js';
import { parseJson, toJson } from './json.js';
import { HotStatement } from './prepared.js';

export interface DryRunPost extends Omit<Selectable<DryRunPostsTable>, 'payload'> {
  payload: Record<string, unknown>;
}

/** Records what a dry-run channel would have posted. Idempotent per delivery: returns the one stored. */
export async function recordDryRunPost(
  db: Kysely<Database>,
  post: Omit<DryRunPost, 'id' | 'createdAt'>,
): Promise<DryRunPost> {
  const [inserted] = await postRecord.rows(db, {
    ...post,
    id: newId('out'),
    payload: toJson(post.payload),
    createdAt: nowIso(),
  });
  if (inserted) return { ...inserted, payload: post.payload };
  return (await findDryRunPostByDelivery(db, post.deliveryId))!;
}

/** The dry-run channel's one write per post (a hot statement: the pipeline benchmark's side effect). */
const postRecord = new HotStatement((db: Kysely<Database>, a: Selectable<DryRunPostsTable>) =>
  db
    .insertInto('dryRunPosts')
    .values({
      deliveryId: a.deliveryId,
      accountId: a.accountId,
      itemId: a.itemId,
      platform: a.platform,
      action: a.action,
      text: a.text,
      payload: a.payload,
      id: a.id,
      createdAt: a.createdAt,
    })
    .onConflict((oc) => oc.column('deliveryId').doNothing())
    .returningAll(),
);

export async function findDryRunPostByDelivery(
  db: Kysely<Database>,
  deliveryId: string,
): Promise<DryRunPost | null> {
  const row = await db
    .selectFrom('dryRunPosts')
    .selectAll()
    .where('deliveryId', '=', deliveryId)
    .executeTakeFirst();
  return row ? { ...row, payload: parseJson(row.payload, {}) } : null;
}

export async function findDryRunPost(db: Kysely<Database>, id: string): Promise<DryRunPost | null> {
  const row = await db.selectFrom('dryRunPosts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, payload: parseJson(row.payload, {}) } : null;
}

export async function listDryRunPosts(db: Kysely<Database>, limit = 50, offset = 0): Promise<DryRunPost[]> {
  const rows = await db
    .selectFrom('dryRunPosts')
    .selectAll()
    .orderBy('createdAt', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => ({ ...r, payload: parseJson(r.payload, {}) }));
}

export async function countDryRunPosts(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('dryRunPosts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
