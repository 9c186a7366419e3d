import type { Kysely, Selectable } from 'kysely';
import type { ItemReview, ReviewAction, ReviewEvent, ReviewState } from '../domain/review.js';
import type { Database, ItemReviewsTable } from './schema.js';

type Db = Kysely<Database>;

function rowToReview(row: Selectable<ItemReviewsTable>): ItemReview {
  return { ...row, state: row.state as ReviewState };
}

/** An item's review; an item that never had one is a draft of unknown author. */
export async function findReview(db: Db, itemId: string): Promise<ItemReview> {
  const row = await db.selectFrom('itemReviews').selectAll().where('itemId', '=', itemId).executeTakeFirst();
  return row
    ? rowToReview(row)
    : {
        itemId,
        state: 'draft',
        author: null,
        submittedBy: null,
        submittedAt: null,
        submittedRevision: null,
        proposedAt: null,
        proposedTimezone: null,
      };
}

/** Writes an item's review (insert or replace). */
export async function saveReview(db: Db, review: ItemReview): Promise<void> {
  const { itemId, ...rest } = review;
  const updated = await db
    .updateTable('itemReviews')
    .set(rest)
    .where('itemId', '=', itemId)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await db.insertInto('itemReviews').values(review).execute();
}

export async function insertReviewEvent(db: Db, event: ReviewEvent): Promise<void> {
  await db.insertInto('reviewEvents').values(event).execute();
}

export async function listReviewEvents(db: Db, itemId: string): Promise<ReviewEvent[]> {
  const rows = await db
    .selectFrom('reviewEvents')
    .select(['itemId', 'action', 'actor', 'at', 'comment', 'revision'])
    .where('itemId', '=', itemId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, action: r.action as ReviewAction }));
}

/** The items waiting for a decision, oldest submission first. */
export async function listReviewQueue(
  db: Db,
): Promise<Array<{ itemId: string; title: string; submittedBy: string | null; submittedAt: string | null }>> {
  return db
    .selectFrom('itemReviews')
    .innerJoin('items', 'items.id', 'itemReviews.itemId')
    .select(['itemReviews.itemId', 'items.title', 'itemReviews.submittedBy', 'itemReviews.submittedAt'])
    .where('itemReviews.state', '=', 'in_review')
    .orderBy('itemReviews.submittedAt')
    .orderBy('itemReviews.itemId')
    .execute();
}
