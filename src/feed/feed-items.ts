import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ItemFields, NewsItem } from '../domain/item.js';
import { renderMarkdown } from '../domain/markdown.js';
import type { Database } from '../store/schema.js';
import { rowToItem } from '../store/items.js';
import { parseJson } from '../store/json.js';

type Db = Kysely<Database>;

/** What identifies the feed-relevant state of one published item (its fingerprint line). */
interface Stamp {
  id: string;
  revision: number;
  publishedRevision: number | null;
  publishedAt: string | null;
  updatedAt: string;
}

/** The light view of every published item: enough to fingerprint and to choose what the feeds show. */
export interface FeedItemIndex {
  stamps: Stamp[];
  /** Item stand-ins with dates, language and tags as published (bodies not loaded). */
  outlines: NewsItem[];
  /** Fields of the published revision, for items edited since they were published. */
  publishedFields: Map<string, PublishedRevision>;
}

interface PublishedRevision {
  fields: ItemFields & { slug: string };
  createdAt: string;
}

const LIGHT_COLUMNS = [
  'id',
  'revision',
  'publishedRevision',
  'publishedAt',
  'updatedAt',
  'createdAt',
  'language',
  'tags',
] as const;

/** The published items' stamps only: the cheap "has anything changed?" query. */
export async function publishedStamps(db: Db): Promise<Stamp[]> {
  return db
    .selectFrom('items')
    .select(['id', 'revision', 'publishedRevision', 'publishedAt', 'updatedAt'])
    .where('status', '=', 'published')
    .orderBy('id')
    .execute();
}

/**
 * A digest of everything a rebuild depends on: each published item's id, revisions and times, the alt
 * text of the uploads they show, plus the configuration the feeds are built with. Equal fingerprints mean the feeds on disk are current.
 */
export function feedFingerprint(
  stamps: readonly Stamp[],
  settings: string,
  uploadAlts: readonly string[] = [],
): string {
  const hash = createHash('sha256').update(settings).update('\n');
  for (const s of stamps)
    hash.update(`${s.id}|${s.revision}|${s.publishedRevision ?? ''}|${s.publishedAt ?? ''}|${s.updatedAt}\n`);
  // An upload's alt text changes without a new revision of the items showing it.
  for (const alt of uploadAlts) hash.update(`upload|${alt}\n`);
  return hash.digest('hex');
}

/** Reads the light view of the published items, with language and tags as they were published. */
export async function loadFeedItemIndex(db: Db): Promise<FeedItemIndex> {
  const rows = await db
    .selectFrom('items')
    .select([...LIGHT_COLUMNS])
    .where('status', '=', 'published')
    .orderBy('id')
    .execute();
  const edited = rows.filter((r) => r.publishedRevision !== null && r.publishedRevision !== r.revision);
  const publishedFields = await loadPublishedRevisions(
    db,
    edited.map((r) => ({ id: r.id, revision: r.publishedRevision! })),
  );
  const outlines = rows.map((row) => {
    const published = publishedFields.get(row.id);
    return outline({
      ...row,
      tags: published ? published.fields.tags : parseJson<string[]>(row.tags, []),
      language: published ? published.fields.language : row.language,
      updatedAt: published ? publishedUpdatedAt(row.publishedAt, published.createdAt) : row.updatedAt,
    });
  });
  return { stamps: rows, outlines, publishedFields };
}

/** The published items with these ids, fully loaded, as published, in the order of `ids` (one query). */
export async function loadFeedItems(
  db: Db,
  index: FeedItemIndex,
  ids: readonly string[],
): Promise<NewsItem[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('items').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    // Withdrawn since the index was read: left out (the next rebuild sees the change anyway).
    return row && row.status === 'published'
      ? [asPublished(rowToItem(row), index.publishedFields.get(id))]
      : [];
  });
}

async function loadPublishedRevisions(
  db: Db,
  wanted: { id: string; revision: number }[],
): Promise<Map<string, PublishedRevision>> {
  const found = new Map<string, PublishedRevision>();
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500);
    const revisionOf = new Map(chunk.map((w) => [w.id, w.revision]));
    const rows = await db
      .selectFrom('itemRevisions')
      .selectAll()
      .where(
        'itemId',
        'in',
        chunk.map((w) => w.id),
      )
      .execute();
    for (const row of rows) {
      if (revisionOf.get(row.itemId) !== row.revision) continue;
      found.set(row.itemId, {
        fields: parseJson(row.fields, {} as ItemFields & { slug: string }),
        createdAt: row.createdAt,
      });
    }
  }
  return found;
}

/** An item edited after publication shows in feeds as it was published, not with the unpublished edits. */
function asPublished(item: NewsItem, published: PublishedRevision | undefined): NewsItem {
  if (!published) return item;
  const f = published.fields;
  return {
    ...item,
    title: f.title,
    summary: f.summary ?? '',
    body: f.body ?? '',
    bodyHtml: renderMarkdown(f.body ?? '', f.url),
    url: f.url,
    imageUrl: f.imageUrl ?? null,
    imageAlt: f.imageAlt ?? null,
    imageId: f.imageId ?? null,
    tags: f.tags ?? [],
    language: f.language,
    slug: f.slug,
    updatedAt: publishedUpdatedAt(item.publishedAt, published.createdAt),
  };
}

function publishedUpdatedAt(publishedAt: string | null, revisionCreatedAt: string): string {
  return publishedAt && publishedAt > revisionCreatedAt ? publishedAt : revisionCreatedAt;
}

function outline(row: {
  id: string;
  revision: number;
  publishedRevision: number | null;
  publishedAt: string | null;
  updatedAt: string;
  createdAt: string;
  language: string;
  tags: string[];
}): NewsItem {
  return {
    id: row.id,
    slug: '',
    title: '',
    summary: '',
    body: '',
    bodyHtml: '',
    url: '',
    imageUrl: null,
    imageAlt: null,
    imageId: null,
    tags: row.tags,
    language: row.language,
    translations: {},
    channelTexts: {},
    thread: false,
    status: 'published',
    revision: row.revision,
    publishedRevision: row.publishedRevision,
    publishAt: null,
    publishTimezone: null,
    publishChannels: null,
    announce: false,
    scheduleToken: null,
    publishedAt: row.publishedAt,
    withdrawnAt: null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
