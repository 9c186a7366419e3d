// The hot-path statements (src/store/prepared.ts) run through the driver on the store's root handle and through
// kysely on a transaction's: both give the same rows, claims still race to one owner, a statement waits for a
// transaction instead of joining it, and PostgreSQL's named statements outlive the connections they were made on.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { DIALECTS, PG_ADMIN_URL, migratedStoreEachTest, type TestDatabase } from '../../helpers/databases.js';
import type { Store } from '../../../src/store/db.js';
import { findItem, insertItem } from '../../../src/store/items.js';
import {
  claimDelivery,
  findDelivery,
  holdsClaim,
  insertDeliveries,
  completeDelivery,
} from '../../../src/store/deliveries.js';
import { findAccount, syncAccounts } from '../../../src/store/accounts.js';
import { validateItemFields } from '../../../src/domain/item.js';
import { sampleItem } from '../../helpers/app.js';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`hot statements (${dialect})`, () => {
    let tdb: TestDatabase;
    let store: Store;
    migratedStoreEachTest(dialect, (opened, database) => {
      store = opened;
      tdb = database;
    });

    async function oneDelivery() {
      const item = await insertItem(store.db, validateItemFields(sampleItem(1)), 't');
      const [delivery] = await insertDeliveries(store.db, item.id, 1, [
        { kind: 'channel', target: 'mastodon-main', action: 'create' },
      ]);
      return { item, delivery: delivery! };
    }

    it('give the same rows as kysely builds and runs them (a transaction handle goes through kysely)', async () => {
      const { item } = await oneDelivery();
      await syncAccounts(store.db, [
        { id: 'mastodon-main', platform: 'mastodon', name: 'M', mode: 'dry-run' },
      ]);
      const viaKysely = await store.transaction(async (trx) => ({
        item: await findItem(trx, item.id),
        account: await findAccount(trx, 'mastodon-main'),
      }));
      expect(viaKysely.item).toEqual(item);
      expect(await findItem(store.db, item.id)).toEqual(viaKysely.item);
      expect(await findAccount(store.db, 'mastodon-main')).toEqual(viaKysely.account);
      expect(await findItem(store.db, 'itm_missing')).toBeNull();
    });

    it('a claim race: every claim counts an attempt, only the last one holds the fence, completion needs it', async () => {
      const { delivery } = await oneDelivery();
      const claims = await Promise.all(Array.from({ length: 6 }, () => claimDelivery(store.db, delivery.id)));
      const attempts = claims.map((c) => c!.delivery.attempts).sort((a, b) => a - b);
      expect(attempts).toEqual([1, 2, 3, 4, 5, 6]);
      // Every claim after the first found the row running: its outcome is uncertain.
      expect(claims.filter((c) => !c!.outcomeUnknown)).toHaveLength(1);
      const holders = await Promise.all(attempts.map((n) => holdsClaim(store.db, delivery.id, n)));
      expect(holders).toEqual([false, false, false, false, false, true]);
      const last = claims.find((c) => c!.delivery.attempts === 6)!.delivery;
      expect(await findDelivery(store.db, delivery.id)).toEqual(last);
      const done = { remoteId: 'r1', remoteUrl: 'https://x/r1', progress: { statusIds: ['r1'] } };
      expect(await completeDelivery(store.db, delivery.id, done)).toBe(true);
      expect(await completeDelivery(store.db, delivery.id, done)).toBe(false);
      expect(await holdsClaim(store.db, delivery.id, 6)).toBe(false);
      expect(await findDelivery(store.db, delivery.id)).toMatchObject({
        status: 'done',
        remoteId: 'r1',
        progress: { statusIds: ['r1'] },
        errorKind: null,
      });
      expect(await claimDelivery(store.db, delivery.id)).toBeNull();
    });

    it('a statement on the root handle waits for an open transaction instead of joining it', async () => {
      const { item } = await oneDelivery();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const transaction = store
        .transaction(async (trx) => {
          await trx.updateTable('items').set({ title: 'Rolled back' }).where('id', '=', item.id).execute();
          await held;
          throw new Error('roll back');
        })
        .catch((error: Error) => error.message);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const read = findItem(store.db, item.id);
      release();
      expect(await transaction).toBe('roll back');
      expect((await read)?.title).toBe(item.title);
    });

    it.skipIf(dialect !== 'postgres')('named statements are made again on a new connection', async () => {
      const { delivery } = await oneDelivery();
      const claim = await claimDelivery(store.db, delivery.id);
      expect(await holdsClaim(store.db, delivery.id, 1)).toBe(true);
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      const database = new URL(tdb.url).pathname.slice(1);
      const { rowCount } = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database],
      );
      await admin.end();
      expect(rowCount).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await holdsClaim(store.db, delivery.id, claim!.delivery.attempts)).toBe(true);
      expect(await holdsClaim(store.db, delivery.id, 2)).toBe(false);
    });
  });
}
