import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// What happens to newsletters after sending: bounces, complaints and unsubscriptions reported by the
// bounce mailbox, provider webhooks or the SMTP server (one row per event, each provider event once);
// the suppression list, per address, kept as a salted hash so it survives the contact's erasure; and the
// mailbox messages nobody could understand, kept for a person with the reason.
export function mailFeedbackMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('mail_feedback_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        // <source>:<the provider's event id>: the same event delivered twice is recorded once
        .addColumn('event_key', 'text', (c) => c.notNull().unique())
        .addColumn('contact_id', 'text')
        .addColumn('newsletter_id', 'text')
        .addColumn('recipient_id', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('mail_feedback_contact')
        .on('mail_feedback_events')
        .columns(['contact_id', 'kind', 'occurred_at'])
        .execute();
      await db.schema
        .createIndex('mail_feedback_newsletter')
        .on('mail_feedback_events')
        .columns(['newsletter_id', 'kind'])
        .execute();

      await db.schema
        .createTable('mail_suppressions')
        // HMAC-SHA256(salt kept in newsletter_state, lowercased address), hex
        .addColumn('address_hash', 'text', (c) => c.primaryKey())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('mail_suppressions_contact')
        .on('mail_suppressions')
        .column('contact_id')
        .execute();

      await db.schema
        .createTable('mail_feedback_unparsed')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('folder', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('sender', 'text')
        .addColumn('subject', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('newsletter_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('mail_feedback_unparsed_newsletter')
        .on('mail_feedback_unparsed')
        .column('newsletter_id')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['mail_feedback_unparsed', 'mail_suppressions', 'mail_feedback_events']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
