import type { Kysely, Selectable } from 'kysely';
import { withUpload, type ImageUse, type Media, type MediaType } from '../domain/media.js';
import type { NewsItem } from '../domain/item.js';
import type { Database, MediaTable } from './schema.js';
import { nowIso } from './db.js';
import { newId } from './ids.js';
import { parseJson, toJson } from './json.js';
import { foundOrThrow } from './found.js';

type Db = Kysely<Database>;

function rowToMedia(row: Selectable<MediaTable>): Media {
  return {
    id: row.id,
    hash: row.hash,
    type: row.type as MediaType,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    alt: row.alt,
    derivatives: parseJson(row.derivatives, {}),
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

export async function insertMedia(db: Db, media: Omit<Media, 'id' | 'createdAt'>): Promise<Media> {
  const row = { ...media, id: newId('med'), createdAt: nowIso(), derivatives: toJson(media.derivatives) };
  await db.insertInto('media').values(row).execute();
  return rowToMedia(row);
}

export async function findMedia(db: Db, id: string): Promise<Media | null> {
  const row = await db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToMedia(row) : null;
}

export const getMedia = (db: Db, id: string): Promise<Media> => foundOrThrow(findMedia(db, id), 'media', id);

export async function listMedia(
  db: Db,
  q: { limit: number; offset: number },
): Promise<{ media: Media[]; total: number }> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('media')
      .selectAll()
      .orderBy('createdAt', 'desc')
      .orderBy('id')
      .limit(q.limit)
      .offset(q.offset)
      .execute(),
    db
      .selectFrom('media')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { media: rows.map(rowToMedia), total: Number(count.n) };
}

export async function setMediaAlt(db: Db, id: string, alt: string): Promise<void> {
  await db.updateTable('media').set({ alt }).where('id', '=', id).execute();
}

export async function deleteMediaRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('media').where('id', '=', id).execute();
}

/** The items showing each of these uploads: media id -> [{id, title}]. */
export async function mediaUses(
  db: Db,
  ids: string[],
): Promise<Map<string, { id: string; title: string }[]>> {
  const uses = new Map<string, { id: string; title: string }[]>();
  if (ids.length === 0) return uses;
  const rows = await db
    .selectFrom('items')
    .select(['id', 'title', 'imageId'])
    .where('imageId', 'in', ids)
    .orderBy('id')
    .execute();
  for (const row of rows)
    uses.set(row.imageId!, [...(uses.get(row.imageId!) ?? []), { id: row.id, title: row.title }]);
  return uses;
}

/** Whether a published item shows this upload (then the feeds carry its alt text). */
export async function shownByPublishedItem(db: Db, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('items')
    .select('id')
    .where('imageId', '=', id)
    .where('status', '=', 'published')
    .executeTakeFirst();
  return row !== undefined;
}

/** The alt text of every upload a published item shows, as `id|alt` lines: part of the feeds' fingerprint. */
export async function publishedUploadAlts(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('media')
    .select(['id', 'alt'])
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('items')
        .select('imageId')
        .where('status', '=', 'published')
        .where('imageId', 'is not', null),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) => `${r.id}|${r.alt}`);
}

/** Whether any upload still refers to this file (the same picture uploaded twice shares its files). */
export async function fileInUse(db: Db, hash: string): Promise<boolean> {
  const row = await db
    .selectFrom('media')
    .select('id')
    .where((eb) => eb.or([eb('hash', '=', hash), eb('derivatives', 'like', `%"${hash}"%`)]))
    .executeTakeFirst();
  return row !== undefined;
}

/** Items with their uploaded pictures resolved for one output (see withUpload). */
export async function withUploads<
  T extends Pick<NewsItem, 'imageId' | 'imageUrl' | 'imageAlt' | 'imageFile' | 'imageSize'>,
>(db: Db, items: T[], use: ImageUse, publicUrl: string): Promise<T[]> {
  const ids = [...new Set(items.map((i) => i.imageId).filter((id): id is string => !!id))];
  if (ids.length === 0) return items;
  const rows = await db.selectFrom('media').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, rowToMedia(r)]));
  return items.map((item) => withUpload(item, byId.get(item.imageId ?? '') ?? null, use, publicUrl));
}

/** One item with its uploaded picture resolved (see withUploads). */
export async function withItemUpload<
  T extends Pick<NewsItem, 'imageId' | 'imageUrl' | 'imageAlt' | 'imageFile'>,
>(db: Db, item: T, use: ImageUse, publicUrl: string): Promise<T> {
  return (await withUploads(db, [item], use, publicUrl))[0]!;
}
