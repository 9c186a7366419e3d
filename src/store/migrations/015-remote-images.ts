import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// What a HEAD said about an item's image address (imageUrl): its type and byte length, for the feeds'
// enclosures. A cache: bytes and type are null when the answer gave none or the address failed.
export function remoteImagesMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('remote_images')
        .addColumn('url', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text')
        .addColumn('bytes', 'integer')
        .addColumn('checked_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('remote_images').ifExists().execute();
    },
  };
}
