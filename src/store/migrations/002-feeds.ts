import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// Feeds: rebuild log, source state, entries already imported, webhook ids, leases. Portable types only.
export function feedsMigration(dialect: DialectName): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('feed_builds')
        .addColumn('id', serial, (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('duration_ms', 'integer')
        .addColumn('items', 'integer')
        .addColumn('variants', 'integer')
        .addColumn('files_written', 'integer')
        .addColumn('error', 'text')
        .addColumn('websub_error', 'text')
        .execute();

      await db.schema
        .createTable('feed_sources')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('etag', 'text')
        .addColumn('last_modified', 'text')
        .addColumn('last_polled_at', 'text')
        .addColumn('last_success_at', 'text')
        .addColumn('last_error', 'text')
        .addColumn('last_error_kind', 'text')
        .addColumn('last_error_at', 'text')
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_skipped', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('items_created', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      // One row per imported entry: the primary key is what makes an entry become exactly one item.
      await db.schema
        .createTable('feed_source_entries')
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull())
        .addColumn('entry_key', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('entry_date', 'text')
        .addColumn('publish_pending', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('feed_source_entries_pk', ['source_id', 'key_hash'])
        .execute();

      await db.schema
        .createTable('webhook_items')
        .addColumn('external_id', 'text', (c) => c.primaryKey())
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text')
        .addColumn('expires_at', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['leases', 'webhook_items', 'feed_source_entries', 'feed_sources', 'feed_builds']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
