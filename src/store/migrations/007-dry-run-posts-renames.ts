import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// The glossary (docs/glossary.md) keeps "outbox" for the transactional outbox: what dry-run accounts
// record are dry-run posts. A rename: the name ends in "-renames", so an older Herald refuses this schema
// (see src/store/migrate.ts) and the upgrade is stop-and-replace.
export function dryRunPostsMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('outbox_posts').renameTo('dry_run_posts').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('dry_run_posts').renameTo('outbox_posts').execute();
    },
  };
}
