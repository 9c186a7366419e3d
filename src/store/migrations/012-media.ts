import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// Uploaded pictures: the re-encoded original and its derivatives live in the media store under content
// hashes; this row holds what describes them. Items point at one with image_id (beside image_url).
export function mediaMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('media')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('alt', 'text', (c) => c.notNull())
        .addColumn('derivatives', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('items').addColumn('image_id', 'text').execute();
      await db.schema.createIndex('items_image_id').on('items').column('image_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('items_image_id').ifExists().execute();
      await db.schema.alterTable('items').dropColumn('image_id').execute();
      await db.schema.dropTable('media').ifExists().execute();
    },
  };
}
