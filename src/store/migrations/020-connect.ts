import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// Accounts connected from the Channels page: the OAuth `state` of a connection under way (one-time, short
// life, with its PKCE verifier), the accounts themselves (encrypted credentials), and the OAuth application
// Herald registered on each Mastodon instance.
export function connectMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('oauth_states')
        .addColumn('state', 'text', (c) => c.primaryKey())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('verifier', 'text', (c) => c.notNull())
        .addColumn('instance_url', 'text')
        .addColumn('account_id', 'text')
        .addColumn('staff_user_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('connected_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('api_url', 'text')
        .addColumn('credentials', 'text', (c) => c.notNull())
        .addColumn('token_expires_at', 'text')
        .addColumn('connected_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('oauth_apps')
        .addColumn('instance_url', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('client_secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['oauth_apps', 'connected_accounts', 'oauth_states'])
        await db.schema.dropTable(table).ifExists().execute();
    },
  };
}
