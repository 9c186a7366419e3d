import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../db.js';

// One secret calendar feed address per staff member. The token is kept as is (the page shows the address
// back): it only reads the schedule, which a copy of the database holds anyway. Revoking deletes the row.
export function calendarMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('calendar_feeds')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('staff_users.id').onDelete('cascade'))
        .addColumn('token', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('calendar_feeds').ifExists().execute();
    },
  };
}
