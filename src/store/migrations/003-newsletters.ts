import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// Member authorities, their contacts, newsletters and one row per recipient of each newsletter (the
// outbox a send works through). Portable types only: text and integer; times are ISO-8601 UTC text.
export function newslettersMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('authorities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        // country|lowercased name: two rows for the same city are the same authority
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('region_type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('authority_id', 'text', (c) => c.notNull().references('authorities.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('email_key', 'text', (c) => c.notNull().unique())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('status_changed_at', 'text')
        .addColumn('announcements', 'integer', (c) => c.notNull())
        .addColumn('digest', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('contacts_authority').on('contacts').column('authority_id').execute();
      await db.schema.createIndex('contacts_status').on('contacts').column('status').execute();

      await db.schema
        .createTable('newsletters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('item_ids', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        // announce:<delivery id> or digest:<window start>: what makes an automatic newsletter happen once
        .addColumn('source_key', 'text', (c) => c.unique())
        .addColumn('scheduled_at', 'text')
        .addColumn('schedule_token', 'text')
        .addColumn('content', 'text')
        // MJML's output when the send started (Handlebars tags kept): workers render it without MJML
        .addColumn('layout', 'text')
        .addColumn('digest_from', 'text')
        .addColumn('digest_to', 'text')
        .addColumn('recipients_total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('started_at', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('newsletters_status').on('newsletters').column('status').execute();

      await db.schema
        .createTable('newsletter_recipients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('newsletter_id', 'text', (c) =>
          c.notNull().references('newsletters.id').onDelete('cascade'),
        )
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('authority_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .addColumn('claimed_at', 'text')
        .addColumn('transmitted_at', 'text')
        .addColumn('reply', 'text')
        .addColumn('message_id', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('newsletter_recipients_once', ['newsletter_id', 'contact_id'])
        .execute();
      await db.schema
        .createIndex('newsletter_recipients_progress')
        .on('newsletter_recipients')
        .columns(['newsletter_id', 'status'])
        .execute();
      await db.schema
        .createIndex('newsletter_recipients_contact')
        .on('newsletter_recipients')
        .columns(['contact_id', 'status'])
        .execute();

      // Small named values the newsletter module keeps (e.g. where the next digest starts).
      await db.schema
        .createTable('newsletter_state')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        'newsletter_state',
        'newsletter_recipients',
        'newsletters',
        'contacts',
        'authorities',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
