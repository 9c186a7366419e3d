import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS } from '../../helpers/databases.js';
import { openStore } from '../../../src/store/db.js';
import { migrateToLatest, pendingMigrations } from '../../../src/store/migrate.js';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`migrations that land out of order (${dialect})`, () => {
    it('a database that already has a later migration gets an earlier newcomer (006 after 010)', async () => {
      const db = await createTestDatabase(dialect);
      const store = openStore(db.url, db.dataDir);
      try {
        await migrateToLatest(store);
        // As a database migrated before 006 landed: everything but 006.
        await sql`drop table request_keys`.execute(store.db);
        await sql`delete from kysely_migration where name = '006-request-keys'`.execute(store.db);
        expect(await pendingMigrations(store)).toEqual(['006-request-keys']);
        expect(await migrateToLatest(store)).toEqual(['006-request-keys']);
        expect(await store.db.selectFrom('requestKeys').selectAll().execute()).toEqual([]);
      } finally {
        await store.close();
        await db.drop();
      }
    });
  });
}
