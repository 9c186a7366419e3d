import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { parseJson } from './json.js';

/**
 * The progress of the channel deliveries to `targets` touched since `since` (ISO): where adapters count what a
 * paying platform charged (X's posts and reads), so that a month's spend comes from Herald's own records.
 */
export async function deliveryProgressSince(
  db: Kysely<Database>,
  targets: readonly string[],
  since: string,
): Promise<Array<{ target: string; progress: Record<string, unknown> }>> {
  if (targets.length === 0) return [];
  const rows = await db
    .selectFrom('deliveries')
    .select(['target', 'progress'])
    .where('kind', '=', 'channel')
    .where('target', 'in', [...targets])
    .where('updatedAt', '>=', since)
    .execute();
  return rows.map((r) => ({ target: r.target, progress: parseJson(r.progress, {}) }));
}
