import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** Another item published recently with the same title or link: a likely duplicate, worth a warning. */
export interface Lookalike {
  itemId: string;
  title: string;
  url: string;
  publishedAt: string;
  sameTitle: boolean;
  sameLink: boolean;
}

/** How far back a published item counts as a possible duplicate. */
export const LOOKALIKE_DAYS = 30;

const sameText = (a: string, b: string) =>
  a.trim().toLocaleLowerCase('und') === b.trim().toLocaleLowerCase('und');

/**
 * Items other than `item` published in the last 30 days with its title (ignoring case and surrounding
 * spaces) or its link, newest first, at most five. A month of news is small: compared here, the same way
 * on SQLite and PostgreSQL.
 */
export async function recentLookalikes(
  db: Db,
  item: { id: string; title: string; url: string },
  now = Date.now(),
): Promise<Lookalike[]> {
  const since = new Date(now - LOOKALIKE_DAYS * 24 * 3_600_000).toISOString();
  const rows = await db
    .selectFrom('items')
    .select(['id', 'title', 'url', 'publishedAt'])
    .where('id', '!=', item.id)
    .where('status', '=', 'published')
    .where('publishedAt', '>=', since)
    .orderBy('publishedAt', 'desc')
    .execute();
  return rows
    .map((r) => ({
      itemId: r.id,
      title: r.title,
      url: r.url,
      publishedAt: r.publishedAt!,
      sameTitle: sameText(r.title, item.title),
      sameLink: r.url === item.url,
    }))
    .filter((r) => r.sameTitle || r.sameLink)
    .slice(0, 5);
}
