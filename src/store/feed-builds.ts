import type { Kysely, Selectable } from 'kysely';
import type { Database, FeedBuildsTable } from './schema.js';
import { nowIso } from './db.js';

type Db = Kysely<Database>;

/** One feed rebuild, as recorded (what `herald status` shows, what tests count). */
export type FeedBuild = Selectable<FeedBuildsTable>;

const toBuild = (row: Selectable<FeedBuildsTable>): FeedBuild => ({ ...row, id: Number(row.id) });

export async function startFeedBuild(db: Db, trigger: string): Promise<number> {
  const row = await db
    .insertInto('feedBuilds')
    .values({ trigger: trigger.slice(0, 200), startedAt: nowIso() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function finishFeedBuild(
  db: Db,
  id: number,
  result: {
    durationMs: number;
    items?: number;
    variants?: number;
    filesWritten?: number;
    error?: string | null;
  },
): Promise<void> {
  await db
    .updateTable('feedBuilds')
    .set({
      finishedAt: nowIso(),
      durationMs: Math.round(result.durationMs),
      items: result.items ?? null,
      variants: result.variants ?? null,
      filesWritten: result.filesWritten ?? null,
      error: result.error ?? null,
    })
    .where('id', '=', id)
    .execute();
}

export async function recordWebSubError(db: Db, id: number, error: string | null): Promise<void> {
  await db.updateTable('feedBuilds').set({ websubError: error }).where('id', '=', id).execute();
}

export async function listFeedBuilds(db: Db, limit = 20): Promise<FeedBuild[]> {
  const rows = await db.selectFrom('feedBuilds').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toBuild);
}

/** Drops all but the newest `keep` records (the log is for status and diagnosis, not history). */
export async function pruneFeedBuilds(db: Db, keep = 500): Promise<void> {
  const cutoff = await db
    .selectFrom('feedBuilds')
    .select('id')
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (cutoff) await db.deleteFrom('feedBuilds').where('id', '<=', Number(cutoff.id)).execute();
}

/** When the latest rebuild started (successful or not), or null before the first. */
export async function lastFeedBuildStart(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('feedBuilds')
    .select((eb) => eb.fn.max<string>('startedAt').as('last'))
    .executeTakeFirst();
  return row?.last ?? null;
}

/** When the oldest feed delivery still waiting was created: rebuilds wait a short window from there. */
export async function oldestOpenFeedDelivery(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.min<string>('createdAt').as('oldest'))
    .where('kind', '=', 'feed')
    .where('status', 'in', ['pending', 'running'])
    .executeTakeFirst();
  return row?.oldest ?? null;
}
