import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// Requests that must take effect once: API Idempotency-Keys, webhook ids and page form tokens share one
// table, told apart by `scope` ("api:<caller>", "webhook", "form:<user>"). `status` stays null while the
// first request runs; then the answer it got is kept until `expires_at` so a repeat can be given it.
export function requestKeysMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('request_keys')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('response', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('request_keys_pk', ['scope', 'key'])
        .execute();
      await db.schema.createIndex('request_keys_expires').on('request_keys').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('request_keys').ifExists().execute();
    },
  };
}
