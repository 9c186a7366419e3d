import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** How many rows of the table are in each status. */
export async function countByStatus(
  db: Kysely<Database>,
  table: 'items' | 'deliveries' | 'contacts' | 'newsletterRecipients',
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom(table)
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
