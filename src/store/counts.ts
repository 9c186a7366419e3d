import type { Kysely, SelectQueryBuilder } from 'kysely';
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

/** How many rows the query (its tables, joins and conditions; no selection yet) finds in all. */
export async function countRows<DB, TB extends keyof DB>(
  query: SelectQueryBuilder<DB, TB, object>,
): Promise<number> {
  const row = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number((row as { n: number | string }).n);
}
