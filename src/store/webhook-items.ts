import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { nowIso } from './db.js';

type Db = Kysely<Database>;

/** The item a CMS id already created, or null. */
export async function findWebhookItem(db: Db, externalId: string): Promise<string | null> {
  const row = await db
    .selectFrom('webhookItems')
    .select('itemId')
    .where('externalId', '=', externalId)
    .executeTakeFirst();
  return row?.itemId ?? null;
}

/** Records which item a CMS id created; false when another request recorded it first. */
export async function insertWebhookItem(trx: Db, externalId: string, itemId: string): Promise<boolean> {
  const result = await trx
    .insertInto('webhookItems')
    .values({ externalId, itemId, createdAt: nowIso() })
    .onConflict((oc) => oc.column('externalId').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}
