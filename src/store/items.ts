import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { ItemFields, ItemStatus, NewsItem } from '../domain/item.js';
import { renderMarkdown } from '../domain/markdown.js';
import { uniqueSlug } from '../domain/slug.js';
import type { Database, ItemsTable } from './schema.js';
import { nowIso } from './db.js';
import { newId } from './ids.js';
import { parseJson, toJson } from './json.js';
import { foundOrThrow } from './found.js';
import { countByStatus, countRows } from './counts.js';
import { HotStatement } from './prepared.js';

type Db = Kysely<Database>;
type EditableFields = ItemFields & { slug: string };

export function rowToItem(row: Selectable<ItemsTable>): NewsItem {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    summary: row.summary,
    body: row.body,
    bodyHtml: row.bodyHtml,
    url: row.url,
    imageUrl: row.imageUrl,
    imageAlt: row.imageAlt,
    imageId: row.imageId,
    tags: parseJson<string[]>(row.tags, []),
    language: row.language,
    translations: parseJson(row.translations, {}),
    channelTexts: parseJson(row.channelTexts, {}),
    thread: row.thread === 1,
    status: row.status as ItemStatus,
    revision: row.revision,
    publishedRevision: row.publishedRevision,
    publishAt: row.publishAt,
    publishTimezone: row.publishTimezone,
    publishChannels: parseJson<string[] | null>(row.publishChannels, null),
    announce: row.announce === 1,
    scheduleToken: row.scheduleToken,
    publishedAt: row.publishedAt,
    withdrawnAt: row.withdrawnAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** An item's editable fields as table columns (the body also rendered to HTML). */
function fieldColumns(fields: EditableFields) {
  return {
    slug: fields.slug,
    title: fields.title,
    summary: fields.summary,
    body: fields.body,
    bodyHtml: renderMarkdown(fields.body, fields.url),
    url: fields.url,
    imageUrl: fields.imageUrl ?? null,
    imageAlt: fields.imageUrl || fields.imageId ? (fields.imageAlt ?? null) : null,
    imageId: fields.imageId ?? null,
    tags: toJson(fields.tags),
    language: fields.language,
    translations: toJson(fields.translations),
    channelTexts: toJson(fields.channelTexts),
    thread: fields.thread ? 1 : 0,
  };
}

async function freeSlug(db: Db, wanted: string, exceptId?: string): Promise<string> {
  const rows = await db
    .selectFrom('items')
    .select(['slug', 'id'])
    // `wanted-2`, `wanted-3`… sort between `wanted-` and `wanted.` ('.' follows '-'): an index range, not a LIKE scan.
    .where((eb) =>
      eb.or([
        eb('slug', '=', wanted),
        eb.and([eb('slug', '>=', `${wanted}-`), eb('slug', '<', `${wanted}.`)]),
      ]),
    )
    .execute();
  const taken = new Set(rows.filter((r) => r.id !== exceptId).map((r) => r.slug));
  return uniqueSlug(wanted, (s) => taken.has(s));
}

/** The row of a new draft (revision 1, nothing scheduled or published). */
export function newDraftRow(id: string, fields: EditableFields, now: string): Insertable<ItemsTable> {
  return {
    id,
    ...fieldColumns(fields),
    status: 'draft',
    revision: 1,
    publishedRevision: null,
    publishAt: null,
    publishTimezone: null,
    publishChannels: null,
    announce: 0,
    scheduleToken: null,
    publishedAt: null,
    withdrawnAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

export async function insertItem(trx: Db, fields: EditableFields, actor: string): Promise<NewsItem> {
  const now = nowIso();
  const id = newId('itm');
  const slug = await freeSlug(trx, fields.slug);
  await trx
    .insertInto('items')
    .values(newDraftRow(id, { ...fields, slug }, now))
    .execute();
  await insertRevision(trx, id, 1, { ...fields, slug }, actor, now);
  return getItem(trx, id);
}

async function insertRevision(
  trx: Db,
  itemId: string,
  revision: number,
  fields: EditableFields,
  actor: string,
  at: string,
) {
  await trx
    .insertInto('itemRevisions')
    .values({ itemId, revision, fields: toJson(fields), actor, createdAt: at })
    .execute();
}

/** Stores edited fields as a new revision. */
export async function updateItemFields(
  trx: Db,
  item: NewsItem,
  fields: EditableFields,
  actor: string,
): Promise<NewsItem> {
  const now = nowIso();
  const slug = fields.slug === item.slug ? item.slug : await freeSlug(trx, fields.slug, item.id);
  const revision = item.revision + 1;
  await trx
    .updateTable('items')
    .set({ ...fieldColumns({ ...fields, slug }), revision, updatedAt: now })
    .where('id', '=', item.id)
    .execute();
  await insertRevision(trx, item.id, revision, { ...fields, slug }, actor, now);
  return getItem(trx, item.id);
}

export type ItemStateChange = Pick<
  Updateable<ItemsTable>,
  | 'status'
  | 'publishedRevision'
  | 'publishAt'
  | 'publishTimezone'
  | 'publishChannels'
  | 'announce'
  | 'scheduleToken'
  | 'publishedAt'
  | 'withdrawnAt'
>;

/** Changes the item's state; returns the item as it is now (undefined when there is no such item). */
export async function updateItemState(
  trx: Db,
  id: string,
  change: ItemStateChange,
): Promise<NewsItem | undefined> {
  const row = await trx
    .updateTable('items')
    .set({ ...change, updatedAt: nowIso() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? rowToItem(row) : undefined;
}

const itemById = new HotStatement((db: Db, a: { id: string }) =>
  db.selectFrom('items').selectAll().where('id', '=', a.id),
);

export async function findItem(db: Db, id: string): Promise<NewsItem | null> {
  const [row] = await itemById.rows(db, { id });
  return row ? rowToItem(row) : null;
}

export const getItem = (db: Db, id: string): Promise<NewsItem> => foundOrThrow(findItem(db, id), 'item', id);

export interface ItemListQuery {
  status?: ItemStatus | undefined;
  /** Only the items this person wrote (a contributor's list). */
  author?: string | undefined;
  limit: number;
  offset: number;
}

export async function listItems(db: Db, q: ItemListQuery): Promise<{ items: NewsItem[]; total: number }> {
  let base = db.selectFrom('items');
  if (q.status) base = base.where('status', '=', q.status);
  if (q.author !== undefined) {
    const author = q.author;
    base = base.where('id', 'in', (eb) =>
      eb.selectFrom('itemReviews').select('itemId').where('author', '=', author),
    );
  }
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('createdAt', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
    countRows(base),
  ]);
  return { items: rows.map(rowToItem), total };
}

export async function listScheduledItems(db: Db): Promise<NewsItem[]> {
  const rows = await db.selectFrom('items').selectAll().where('status', '=', 'scheduled').execute();
  return rows.map(rowToItem);
}

export const countItemsByStatus = (db: Db): Promise<Record<string, number>> => countByStatus(db, 'items');
