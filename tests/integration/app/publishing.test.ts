import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { createItem, editItem } from '../../../src/app/items.js';
import { cancelSchedule, requestPublish } from '../../../src/app/publishing.js';
import { listDeliveriesForItem } from '../../../src/store/deliveries.js';
import { countDryRunPosts, listDryRunPosts } from '../../../src/store/dry-run-posts.js';
import { getItem } from '../../../src/store/items.js';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`publish pipeline (${dialect})`, () => {
    let app: TestApp;
    afterEach(async () => app?.close());

    const allDone = (itemId: string, count: number) => async () => {
      const ds = (await listDeliveriesForItem(app.ctx.store.db, itemId)).filter((d) => d.kind === 'channel'); // feed deliveries: tests/integration/feeds
      return ds.length === count && ds.every((d) => d.status === 'done') ? ds : null;
    };

    it('publishes now: one delivery per account, done through the dry-run channel', async () => {
      app = await startTestApp(dialect);
      app.startWorkers(['channel', 'publish']);
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      const outcome = await requestPublish(app.ctx, item.id, { actor: 'test' });
      expect(outcome.item.status).toBe('published');
      expect(
        outcome.deliveries
          .filter((d) => d.kind === 'channel')
          .map((d) => d.target)
          .sort(),
      ).toEqual(['facebook', 'twitter']);
      const done = await waitFor(allDone(item.id, 2), 15_000, 'deliveries done');
      for (const d of done) {
        expect(d.remoteId).toMatch(/^out_/);
        expect(d.remoteUrl).toContain('/api/dry-run-posts/');
        expect(d.attempts).toBe(1);
      }
      const posts = await listDryRunPosts(app.ctx.store.db);
      expect(posts).toHaveLength(2);
      const url = 'https://example.org/news/report-1';
      expect(posts.every((p) => p.text.includes(url) || p.payload.link === url)).toBe(true);
    });

    it('publishing the same revision twice gives one set of deliveries', async () => {
      app = await startTestApp(dialect);
      app.startWorkers(['channel']);
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      await requestPublish(app.ctx, item.id, { actor: 'test' });
      const again = await requestPublish(app.ctx, item.id, { actor: 'test' });
      expect(again.changed).toBe(false);
      await waitFor(allDone(item.id, 2), 15_000, 'deliveries done');
      await new Promise((r) => setTimeout(r, 300));
      expect(await countDryRunPosts(app.ctx.store.db)).toBe(2);
    });

    it('a new revision is re-delivered only where the channel supports updates', async () => {
      app = await startTestApp(dialect);
      app.startWorkers(['channel']);
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      await requestPublish(app.ctx, item.id, { actor: 'test' });
      await waitFor(allDone(item.id, 2));
      const edited = await editItem(
        app.ctx.store,
        item.id,
        { title: 'Conference report, corrected' },
        'test',
      );
      expect(edited.item.revision).toBe(2);
      await requestPublish(app.ctx, item.id, { actor: 'test' });
      const ds = await waitFor(allDone(item.id, 4));
      expect(ds.filter((d) => d.revision === 2).map((d) => d.action)).toEqual(['update', 'update']);
    });

    it('a scheduled item is published at its time', async () => {
      app = await startTestApp(dialect);
      app.startWorkers(['channel', 'publish']);
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      const at = new Date(Date.now() + 1_500).toISOString();
      const outcome = await requestPublish(app.ctx, item.id, { at, actor: 'test' });
      expect(outcome.item.status).toBe('scheduled');
      expect(outcome.deliveries).toHaveLength(0);
      const ds = await waitFor(allDone(item.id, 2), 15_000, 'scheduled deliveries');
      expect(Date.parse(ds[0]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(at));
      expect((await getItem(app.ctx.store.db, item.id)).status).toBe('published');
    });

    it('cancel before the time means nothing is delivered', async () => {
      app = await startTestApp(dialect);
      app.startWorkers(['channel', 'publish']);
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      await requestPublish(app.ctx, item.id, {
        at: new Date(Date.now() + 1_000).toISOString(),
        actor: 'test',
      });
      const cancelled = await cancelSchedule(app.ctx, item.id, 'test');
      expect(cancelled.status).toBe('draft');
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await listDeliveriesForItem(app.ctx.store.db, item.id)).toHaveLength(0);
      expect(await countDryRunPosts(app.ctx.store.db)).toBe(0);
    });

    it('rescheduling moves the publication; the old time does nothing', async () => {
      app = await startTestApp(dialect);
      app.startWorkers(['channel', 'publish']);
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      await requestPublish(app.ctx, item.id, { at: new Date(Date.now() + 800).toISOString(), actor: 'test' });
      const later = new Date(Date.now() + 2_500).toISOString();
      await requestPublish(app.ctx, item.id, { at: later, actor: 'test' });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await listDeliveriesForItem(app.ctx.store.db, item.id)).toHaveLength(0);
      const ds = await waitFor(allDone(item.id, 2));
      expect(Date.parse(ds[0]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(later));
    });

    it('moving or publishing a scheduled item now keeps the channels and announcement its schedule chose', async () => {
      app = await startTestApp(dialect);
      app.startWorkers(['channel']);
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
      await requestPublish(app.ctx, item.id, {
        at: inAnHour(),
        channels: ['twitter'],
        announce: true,
        actor: 'a',
      });
      const moved = await requestPublish(app.ctx, item.id, { at: inAnHour(), actor: 'a' });
      expect(moved.item).toMatchObject({ status: 'scheduled', publishChannels: ['twitter'], announce: true });
      const now = await requestPublish(app.ctx, item.id, { actor: 'a' });
      expect(now.item).toMatchObject({ status: 'published', publishChannels: ['twitter'], announce: true });
      const channels = now.deliveries.filter((d) => d.kind === 'channel').map((d) => d.target);
      expect(channels).toEqual(['twitter']);
    });

    it("a choice given with the request replaces the schedule's; a never-scheduled item goes everywhere", async () => {
      app = await startTestApp(dialect);
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      const at = new Date(Date.now() + 3_600_000).toISOString();
      await requestPublish(app.ctx, item.id, { at, channels: ['twitter'], announce: true, actor: 'a' });
      const moved = await requestPublish(app.ctx, item.id, {
        at,
        channels: ['facebook'],
        announce: false,
        actor: 'a',
      });
      expect(moved.item).toMatchObject({ publishChannels: ['facebook'], announce: false });
      const other = await createItem(app.ctx.store, sampleItem(2), 'test');
      const published = await requestPublish(app.ctx, other.id, { actor: 'a' });
      expect(published.item).toMatchObject({ publishChannels: null, announce: false });
      expect(
        published.deliveries
          .filter((d) => d.kind === 'channel')
          .map((d) => d.target)
          .sort(),
      ).toEqual(['facebook', 'twitter']);
    });
  });
}
