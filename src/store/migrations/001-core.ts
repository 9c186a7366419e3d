import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// Portable column types only: text, integer. Times are ISO-8601 UTC text (they sort correctly as text).
export function coreMigration(dialect: DialectName): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('body_html', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('image_url', 'text')
        .addColumn('image_alt', 'text')
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('translations', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('channel_texts', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('thread', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('published_revision', 'integer')
        .addColumn('publish_at', 'text')
        .addColumn('publish_timezone', 'text')
        .addColumn('publish_channels', 'text')
        .addColumn('announce', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('schedule_token', 'text')
        .addColumn('published_at', 'text')
        .addColumn('withdrawn_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('items_status_publish_at')
        .on('items')
        .columns(['status', 'publish_at'])
        .execute();
      await db.schema.createIndex('items_published_at').on('items').column('published_at').execute();

      await db.schema
        .createTable('item_revisions')
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('item_revisions_pk', ['item_id', 'revision'])
        .execute();

      await db.schema
        .createTable('deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('error_kind', 'text')
        .addColumn('remote_id', 'text')
        .addColumn('remote_url', 'text')
        .addColumn('progress', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('next_attempt_at', 'text')
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('deliveries_once', ['item_id', 'revision', 'kind', 'target', 'action'])
        .execute();
      await db.schema.createIndex('deliveries_status').on('deliveries').columns(['status', 'kind']).execute();
      await db.schema.createIndex('deliveries_item').on('deliveries').column('item_id').execute();

      await db.schema
        .createTable('channel_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_reason', 'text')
        .addColumn('credentials', 'text')
        .addColumn('last_checked_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('outbox_posts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('delivery_id', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', serial, (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema
        .createIndex('audit_subject')
        .on('audit_log')
        .columns(['subject_type', 'subject_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        'audit_log',
        'outbox_posts',
        'channel_accounts',
        'deliveries',
        'item_revisions',
        'items',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
