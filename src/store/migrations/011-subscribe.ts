import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../db.js';

// Followers: people who subscribe on the public form, by double opt-in. They are contacts without an
// authority, so `contacts.authority_id` may now be null. PostgreSQL drops the NOT NULL in place; SQLite
// cannot, so it rebuilds the table under the same name with the same columns and indexes (inside the
// migration's write transaction): an older process sees the same table and simply never meets a null
// (it lists contacts joined to their authority). The requests waiting for confirmation, and each
// consent given (when, from what, which wording), get their own tables.
export function subscribeMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres')
        await sql`alter table contacts alter column authority_id drop not null`.execute(db);
      else await rebuildContactsSqlite(db);

      await db.schema
        .createTable('subscription_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // HMAC of the address with the suppression list's salt: counts requests per address
        .addColumn('address_hash', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        // JSON list of subscriptions chosen: announcements, digest
        .addColumn('subscriptions', 'text', (c) => c.notNull())
        .addColumn('wording_version', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        // 1 when a confirmation mail went out for it (0: held back by the per-address limit)
        .addColumn('mailed', 'integer', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('confirmed_at', 'text')
        .addColumn('contact_id', 'text')
        .execute();
      await db.schema
        .createIndex('subscription_requests_address')
        .on('subscription_requests')
        .columns(['address_hash', 'requested_at'])
        .execute();

      await db.schema
        .createTable('contact_consents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull().unique())
        .addColumn('subscriptions', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('wording_version', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('given_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('contact_consents_contact')
        .on('contact_consents')
        .column('contact_id')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['contact_consents', 'subscription_requests'])
        await db.schema.dropTable(table).ifExists().execute();
    },
  };
}

const CONTACT_COLUMNS =
  'id, authority_id, name, email, email_key, language, status, status_reason, status_changed_at, announcements, digest, created_at, updated_at';

async function rebuildContactsSqlite(db: Kysely<unknown>): Promise<void> {
  await sql`create table contacts_011 (
    id text primary key,
    authority_id text references authorities(id),
    name text not null,
    email text not null,
    email_key text not null unique,
    language text not null,
    status text not null,
    status_reason text,
    status_changed_at text,
    announcements integer not null,
    digest integer not null,
    created_at text not null,
    updated_at text not null
  )`.execute(db);
  await sql`insert into contacts_011 (${sql.raw(CONTACT_COLUMNS)}) select ${sql.raw(CONTACT_COLUMNS)} from contacts`.execute(
    db,
  );
  await sql`drop table contacts`.execute(db);
  await sql`alter table contacts_011 rename to contacts`.execute(db);
  await sql`create index contacts_authority on contacts (authority_id)`.execute(db);
  await sql`create index contacts_status on contacts (status)`.execute(db);
}
