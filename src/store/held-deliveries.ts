import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { nowIso } from './db.js';

/**
 * The account's channel deliveries still waiting (held while it needed reconnecting), made due now; their
 * ids, to put their jobs in line again.
 */
export async function makeHeldDeliveriesDue(db: Kysely<Database>, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select('id')
    .where('kind', '=', 'channel')
    .where('target', '=', accountId)
    .where('status', '=', 'pending')
    .execute();
  if (rows.length === 0) return [];
  const now = nowIso();
  await db
    .updateTable('deliveries')
    .set({ nextAttemptAt: now, updatedAt: now })
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .where('status', '=', 'pending')
    .execute();
  return rows.map((r) => r.id);
}
