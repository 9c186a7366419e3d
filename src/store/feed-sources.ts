import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, FeedSourcesTable } from './schema.js';
import { nowIso } from './db.js';
import { parseJson, toJson } from './json.js';

type Db = Kysely<Database>;

export interface SkippedEntry {
  key: string | null;
  reason: string;
}

/** What Herald knows about one configured source after its polls. */
export interface SourceState extends Pick<
  Selectable<FeedSourcesTable>,
  | 'id'
  | 'url'
  | 'etag'
  | 'lastModified'
  | 'lastPolledAt'
  | 'lastSuccessAt'
  | 'consecutiveFailures'
  | 'itemsCreated'
> {
  lastError: { kind: string; reason: string; at: string } | null;
  lastSkipped: SkippedEntry[];
}

function toState(row: Selectable<FeedSourcesTable>): SourceState {
  return {
    id: row.id,
    url: row.url,
    etag: row.etag,
    lastModified: row.lastModified,
    lastPolledAt: row.lastPolledAt,
    lastSuccessAt: row.lastSuccessAt,
    lastError: row.lastError
      ? { kind: row.lastErrorKind ?? 'error', reason: row.lastError, at: row.lastErrorAt ?? row.updatedAt }
      : null,
    consecutiveFailures: row.consecutiveFailures,
    lastSkipped: parseJson<SkippedEntry[]>(row.lastSkipped, []),
    itemsCreated: row.itemsCreated,
  };
}

/** The source's state row, created on first use; a changed URL forgets the old validators (ETag, Last-Modified). */
export async function sourceState(db: Db, id: string, url: string): Promise<SourceState> {
  const now = nowIso();
  await db
    .insertInto('feedSources')
    .values({
      id,
      url,
      consecutiveFailures: 0,
      lastSkipped: '[]',
      itemsCreated: 0,
      createdAt: now,
      updatedAt: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await db
    .updateTable('feedSources')
    .set({ url, etag: null, lastModified: null, updatedAt: now })
    .where('id', '=', id)
    .where('url', '!=', url)
    .execute();
  return toState(
    await db.selectFrom('feedSources').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  );
}

export async function listSourceStates(db: Db): Promise<SourceState[]> {
  const rows = await db.selectFrom('feedSources').selectAll().orderBy('id').execute();
  return rows.map(toState);
}

export async function recordPollSuccess(
  db: Db,
  id: string,
  result: {
    etag: string | null;
    lastModified: string | null;
    created: number;
    skipped: SkippedEntry[] | null;
  },
): Promise<void> {
  const now = nowIso();
  await db
    .updateTable('feedSources')
    .set((eb) => ({
      etag: result.etag,
      lastModified: result.lastModified,
      lastPolledAt: now,
      lastSuccessAt: now,
      lastError: null,
      lastErrorKind: null,
      lastErrorAt: null,
      consecutiveFailures: 0,
      itemsCreated: eb('itemsCreated', '+', result.created),
      // A 304 says nothing new about the entries: keep what the last full read found.
      ...(result.skipped ? { lastSkipped: toJson(result.skipped.slice(0, 20)) } : {}),
      updatedAt: now,
    }))
    .where('id', '=', id)
    .execute();
}

/** Records why a poll failed; the next scheduled poll tries again. */
export async function recordPollFailure(
  db: Db,
  id: string,
  kind: string,
  reason: string,
  created = 0,
): Promise<void> {
  const now = nowIso();
  await db
    .updateTable('feedSources')
    .set((eb) => ({
      lastPolledAt: now,
      lastError: reason.slice(0, 1000),
      lastErrorKind: kind,
      lastErrorAt: now,
      consecutiveFailures: eb('consecutiveFailures', '+', 1),
      itemsCreated: eb('itemsCreated', '+', created),
      updatedAt: now,
    }))
    .where('id', '=', id)
    .execute();
}

export const entryKeyHash = (key: string): string => createHash('sha256').update(key).digest('hex');

export async function entrySeen(db: Db, sourceId: string, key: string): Promise<boolean> {
  const row = await db
    .selectFrom('feedSourceEntries')
    .select('itemId')
    .where('sourceId', '=', sourceId)
    .where('keyHash', '=', entryKeyHash(key))
    .executeTakeFirst();
  return row !== undefined;
}

/** Remembers an imported entry; false when it was already there (another poll got it first). */
export async function insertSourceEntry(
  trx: Db,
  entry: { sourceId: string; key: string; itemId: string; entryDate: string | null; publishPending: boolean },
): Promise<boolean> {
  const result = await trx
    .insertInto('feedSourceEntries')
    .values({
      sourceId: entry.sourceId,
      keyHash: entryKeyHash(entry.key),
      entryKey: entry.key,
      itemId: entry.itemId,
      entryDate: entry.entryDate,
      publishPending: entry.publishPending ? 1 : 0,
      createdAt: nowIso(),
    })
    .onConflict((oc) => oc.columns(['sourceId', 'keyHash']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Items of a `publish` source created but not yet published (the process stopped in between). */
export async function pendingPublishes(db: Db, sourceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('feedSourceEntries')
    .select('itemId')
    .where('sourceId', '=', sourceId)
    .where('publishPending', '=', 1)
    .execute();
  return rows.map((r) => r.itemId);
}

export async function clearPendingPublish(db: Db, sourceId: string, itemId: string): Promise<void> {
  await db
    .updateTable('feedSourceEntries')
    .set({ publishPending: 0 })
    .where('sourceId', '=', sourceId)
    .where('itemId', '=', itemId)
    .execute();
}
