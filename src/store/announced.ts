import type { Kysely } from 'kysely';
import type { Newsletter } from '../domain/newsletter-send.js';
import { rowToNewsletter } from './newsletters.js';
import type { Database } from './schema.js';

/** Newsletters that went out, are going out or are scheduled (not drafts, not cancelled). */
const ANNOUNCING = ['scheduled', 'sending', 'paused', 'sent'];

export interface EarlierAnnouncement {
  itemId: string;
  newsletter: Newsletter;
}

/** Which of these items another newsletter already carries (sent, sending or scheduled), oldest first. */
export async function earlierAnnouncements(
  db: Kysely<Database>,
  itemIds: string[],
  exceptNewsletterId: string,
): Promise<EarlierAnnouncement[]> {
  if (itemIds.length === 0) return [];
  // item_ids is JSON text: the LIKE narrows the rows, the parsed list decides.
  const rows = await db
    .selectFrom('newsletters')
    .selectAll()
    .where('status', 'in', ANNOUNCING)
    .where('id', '!=', exceptNewsletterId)
    .where((eb) => eb.or(itemIds.map((id) => eb('itemIds', 'like', `%"${id}"%`))))
    .orderBy('createdAt')
    .execute();
  return rows
    .map(rowToNewsletter)
    .flatMap((newsletter) =>
      newsletter.itemIds.filter((id) => itemIds.includes(id)).map((itemId) => ({ itemId, newsletter })),
    );
}
