import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// Each staff member's UI language; null follows the browser's Accept-Language.
export function staffLanguageMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('staff_users').addColumn('language', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('staff_users').dropColumn('language').execute();
    },
  };
}
