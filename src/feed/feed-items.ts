import { createHash, type Hash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ItemFields, NewsItem } from '../domain/item.js';
import { renderMarkdown } from '../domain/markdown.js';
import type { Database, ItemsTable } from '../store/schema.js';
import { rowToItem } from '../store/items.js';
import { parseJson } from '../store/json.js';
import { feedDate } from './select.js';

type Db = Kysely<Database>;

/** What identifies the feed-relevant state of one published item (its fingerprint line). */
interface Stamp {
  id: string;
  revision: number;
  publishedRevision: number | null;
  publishedAt: string | null;
  updatedAt: string;
}

/**
 * What choosing a variant's items needs of one published item: language and tags as published, and the
 * instant it is dated by in feeds (`feedDate`, in ms). Nothing else is kept: at 100k items this is the
 * rebuild's largest structure.
 */
export interface FeedOutline extends Pick<NewsItem, 'id' | 'status' | 'language' | 'tags'> {
  time: number;
}

/** The light view of every published item: enough to fingerprint and to choose what the feeds show. */
export interface FeedItemIndex {
  count: number;
  outlines: FeedOutline[];
  /** Fields of the published revision, for items edited since they were published. */
  publishedFields: Map<string, PublishedRevision>;
  /** The fingerprint of these items with the settings and upload alt texts (see feedFingerprint). */
  fingerprint(uploadAlts: readonly string[]): string;
}

interface PublishedRevision {
  fields: ItemFields & { slug: string };
  createdAt: string;
}

/** Rows read at a time by the whole-table reads: the rows of one page are dropped before the next. */
const INDEX_PAGE = 5000;

/** Hashes a fingerprint as it reads: the settings, then each stamp, then the upload alt texts. */
class FingerprintHash {
  private readonly hash: Hash;

  constructor(settings: string) {
    this.hash = createHash('sha256').update(settings).update('\n');
  }

  add(s: Stamp): void {
    this.hash.update(
      `${s.id}|${s.revision}|${s.publishedRevision ?? ''}|${s.publishedAt ?? ''}|${s.updatedAt}\n`,
    );
  }

  /** The digest with these alt texts; the hash itself stays open (copied), so it can be finished again. */
  finish(uploadAlts: readonly string[]): string {
    const hash = this.hash.copy();
    // An upload's alt text changes without a new revision of the items showing it.
    for (const alt of uploadAlts) hash.update(`upload|${alt}\n`);
    return hash.digest('hex');
  }
}

/**
 * A digest of everything a rebuild depends on: each published item's id, revisions and times, the alt
 * text of the uploads they show, plus the configuration the feeds are built with. Equal fingerprints mean
 * the feeds on disk are current. The cheap "has anything changed?" check: stamps only, a page at a time.
 */
export async function feedFingerprint(
  db: Db,
  settings: string,
  uploadAlts: () => Promise<readonly string[]>,
): Promise<string> {
  const hash = new FingerprintHash(settings);
  await forEachPublishedPage(db, (rows) => rows.forEach((row) => hash.add(row)));
  return hash.finish(await uploadAlts());
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

type LightRow = Pick<Selectable<ItemsTable>, (typeof LIGHT_COLUMNS)[number]>;

/**
 * The published items' light columns, in id order, `INDEX_PAGE` rows at a time (keyset pages on the primary
 * key). The status is filtered here, not in SQL: with `status = ?` the planner takes the status index and
 * sorts every published row again for each page.
 */
async function forEachPublishedPage(
  db: Db,
  visit: (rows: LightRow[]) => void | Promise<void>,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    let query = db.selectFrom('items').select([...LIGHT_COLUMNS, 'status']);
    if (after !== null) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(INDEX_PAGE).execute();
    if (rows.length === 0) return;
    await visit(rows.filter((row) => row.status === 'published'));
    if (rows.length < INDEX_PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * Reads the light view of the published items, with language, tags and dates as they were published,
 * and hashes their stamps on the way (the rows themselves are not kept).
 */
export async function loadFeedItemIndex(db: Db, settings: string): Promise<FeedItemIndex> {
  const hash = new FingerprintHash(settings);
  const outlines: FeedOutline[] = [];
  const publishedFields = new Map<string, PublishedRevision>();
  await forEachPublishedPage(db, async (rows) => {
    const edited = rows.filter((r) => r.publishedRevision !== null && r.publishedRevision !== r.revision);
    const fields = await loadPublishedRevisions(
      db,
      edited.map((r) => ({ id: r.id, revision: r.publishedRevision! })),
    );
    for (const [id, revision] of fields) publishedFields.set(id, revision);
    for (const row of rows) {
      hash.add(row);
      const published = fields.get(row.id);
      const updatedAt = published ? publishedUpdatedAt(row.publishedAt, published.createdAt) : row.updatedAt;
      outlines.push({
        id: row.id,
        status: 'published',
        tags: published ? published.fields.tags : parseJson<string[]>(row.tags, []),
        language: published ? published.fields.language : row.language,
        time: feedDate({ publishedAt: row.publishedAt, updatedAt, createdAt: row.createdAt }).getTime(),
      });
    }
  });
  return {
    count: outlines.length,
    outlines,
    publishedFields,
    fingerprint: (uploadAlts) => hash.finish(uploadAlts),
  };
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
