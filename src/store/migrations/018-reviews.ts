import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// Reviews: an item's review state beside its status (item_reviews, one row once an item has an author or a
// review), every transition with who, when and a comment (review_events), and the member authority a
// contributor's staff account belongs to.
export function reviewsMigration(dialect: DialectName): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('item_reviews')
        .addColumn('item_id', 'text', (c) => c.primaryKey().references('items.id').onDelete('cascade'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('author', 'text')
        .addColumn('submitted_by', 'text')
        .addColumn('submitted_at', 'text')
        .addColumn('submitted_revision', 'integer')
        .addColumn('proposed_at', 'text')
        .addColumn('proposed_timezone', 'text')
        .execute();
      await db.schema.createIndex('item_reviews_state').on('item_reviews').columns(['state']).execute();
      await db.schema.createIndex('item_reviews_author').on('item_reviews').columns(['author']).execute();
      await db.schema
        .createTable('review_events')
        .addColumn('id', serial, (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('revision', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('review_events_item').on('review_events').columns(['item_id']).execute();
      await db.schema.alterTable('staff_users').addColumn('member_id', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('staff_users').dropColumn('member_id').execute();
      await db.schema.dropTable('review_events').ifExists().execute();
      await db.schema.dropTable('item_reviews').ifExists().execute();
    },
  };
}
