import { describe, expect, it } from 'vitest';
import { DIALECTS, migratedStoreEachTest } from '../../helpers/databases.js';
import type { Store } from '../../../src/store/db.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { insertItem, getItem, listItems, updateItemFields } from '../../../src/store/items.js';
import {
  claimDelivery,
  completeDelivery,
  failDelivery,
  insertDeliveries,
  listDeliveriesForItem,
  releaseDelivery,
  retryDelivery,
} from '../../../src/store/deliveries.js';
import { listAudit, recordAudit } from '../../../src/store/audit.js';
import { completeRunningDelivery, writeRunningProgress } from '../../../src/store/running-delivery.js';
import { syncAccounts, listAccounts, setAccountState } from '../../../src/store/accounts.js';
import { validateItemFields } from '../../../src/domain/item.js';
import { sampleItem } from '../../helpers/app.js';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`repositories (${dialect})`, () => {
    let store: Store;
    migratedStoreEachTest(dialect, (opened) => {
      store = opened;
    });

    it('migrations are versioned and run once', async () => {
      expect(await migrateToLatest(store)).toEqual([]);
    });

    it('items: insert, unique slugs, revisions, JSON fields, paging', async () => {
      const a = await insertItem(
        store.db,
        validateItemFields(
          sampleItem(1, { title: 'Same title', translations: { fr: { title: 'Même titre' } } }),
        ),
        't',
      );
      const b = await insertItem(store.db, validateItemFields(sampleItem(2, { title: 'Same title' })), 't');
      expect([a.slug, b.slug]).toEqual(['same-title', 'same-title-2']);
      expect(a.translations).toEqual({ fr: { title: 'Même titre' } });
      const edited = await updateItemFields(
        store.db,
        a,
        { ...validateItemFields(sampleItem(1, { title: 'New' })), slug: a.slug },
        't',
      );
      expect(edited.revision).toBe(2);
      expect((await getItem(store.db, a.id)).title).toBe('New');
      const page = await listItems(store.db, { limit: 1, offset: 1 });
      expect(page.total).toBe(2);
      expect(page.items).toHaveLength(1);
    });

    it('deliveries: one per (revision, kind, target, action); transitions guarded', async () => {
      const item = await insertItem(store.db, validateItemFields(sampleItem()), 't');
      const plan = [{ kind: 'channel' as const, target: 'twitter', action: 'create' as const }];
      const [d] = await insertDeliveries(store.db, item.id, 1, plan);
      expect(await insertDeliveries(store.db, item.id, 1, plan)).toEqual([]);
      const claim = await claimDelivery(store.db, d!.id);
      expect(claim).toMatchObject({ outcomeUnknown: false, delivery: { status: 'running', attempts: 1 } });
      const again = await claimDelivery(store.db, d!.id);
      expect(again?.outcomeUnknown).toBe(true); // a second claim while running = the first attempt was cut off
      expect(await releaseDelivery(store.db, d!.id, 'transient', 'HTTP 503', null)).toBe(true);
      await claimDelivery(store.db, d!.id);
      expect(await failDelivery(store.db, d!.id, 'permanent', 'duplicate')).toBe(true);
      expect(await completeDelivery(store.db, d!.id, { remoteId: 'x', remoteUrl: null })).toBe(false); // failed -> done refused
      expect(await retryDelivery(store.db, d!.id)).toBe(true);
      await claimDelivery(store.db, d!.id);
      expect(
        await completeDelivery(store.db, d!.id, { remoteId: '123', remoteUrl: 'https://x.com/a/status/123' }),
      ).toBe(true);
      expect(await retryDelivery(store.db, d!.id)).toBe(false); // done is final
      const [stored] = await listDeliveriesForItem(store.db, item.id);
      expect(stored).toMatchObject({ status: 'done', remoteId: '123', lastError: null });
    });

    it("completing a running delivery writes the result's new details with it, keeping saved progress", async () => {
      const item = await insertItem(store.db, validateItemFields(sampleItem()), 't');
      const plan = [{ kind: 'channel' as const, target: 'mastodon', action: 'create' as const }];
      const [d] = await insertDeliveries(store.db, item.id, 1, plan);
      const { delivery } = (await claimDelivery(store.db, d!.id))!;
      delivery.progress = { statusIds: ['1'], url: 'https://m.example/@a/1' };
      await writeRunningProgress(store.db, d!.id, delivery.progress);
      const result = { remoteId: '1', remoteUrl: null, details: { statusIds: ['1', '2'] } };
      expect(await completeRunningDelivery(store.db, delivery, result)).toBe(true);
      const [stored] = await listDeliveriesForItem(store.db, item.id);
      expect(stored).toMatchObject({
        status: 'done',
        remoteId: '1',
        progress: { statusIds: ['1', '2'], url: 'https://m.example/@a/1' },
      });
    });

    it('audit log and accounts', async () => {
      await recordAudit(store.db, {
        actor: 'ana',
        action: 'created',
        subjectType: 'item',
        subjectId: 'itm_1',
        details: { a: 1 },
      });
      await recordAudit(store.db, {
        actor: 'ana',
        action: 'published',
        subjectType: 'item',
        subjectId: 'itm_1',
      });
      expect((await listAudit(store.db, 'item', 'itm_1')).map((e) => [e.actor, e.action, e.details])).toEqual(
        [
          ['ana', 'created', { a: 1 }],
          ['ana', 'published', {}],
        ],
      );
      await syncAccounts(store.db, [{ id: 'tw', platform: 'twitter', name: 'X', mode: 'dry-run' }]);
      await setAccountState(store.db, 'tw', 'needs_reconnect', 'token expired');
      await syncAccounts(store.db, [{ id: 'tw', platform: 'twitter', name: 'X main', mode: 'live' }]);
      expect(await listAccounts(store.db)).toMatchObject([
        { id: 'tw', name: 'X main', mode: 'live', state: 'needs_reconnect', stateReason: 'token expired' },
      ]);
    });
  });
}
