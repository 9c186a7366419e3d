import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import {
  LeaseTimeoutError,
  freeLeaseOfDeadProcess,
  releaseLease,
  tryAcquireLease,
  withLease,
} from '../../../src/store/leases.js';
import { createItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';
import { listDeliveriesForItem } from '../../../src/store/deliveries.js';
import { listFeedBuilds } from '../../../src/store/feed-builds.js';

/** A WebSub hub on 127.0.0.1 recording `hub.url`s, answering `status`. */
async function fakeHub(status = 204) {
  const pings: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      if (form.get('hub.mode') === 'publish') pings.push(form.get('hub.url') ?? '');
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`,
    pings,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`leases and WebSub (${dialect})`, () => {
    let app: TestApp | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('a lease has one holder at a time, frees itself when it expires, and is freed at once when its process died', async () => {
      app = await startTestApp(dialect);
      const db = app.ctx.store.db;
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((h) => tryAcquireLease(db, 'x', `host:1:${h}`, 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = ['a', 'b', 'c', 'd'][results.indexOf(true)]!;
      await releaseLease(db, 'x', 'someone-else');
      expect(await tryAcquireLease(db, 'x', 'host:1:z', 60_000)).toBe(false);
      await releaseLease(db, 'x', `host:1:${winner}`);
      expect(await tryAcquireLease(db, 'x', 'host:1:z', 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
      expect(await tryAcquireLease(db, 'x', 'host:1:y', 60_000)).toBe(true); // z's expired

      const { hostname } = await import('node:os');
      await db
        .updateTable('leases')
        .set({
          holder: `${hostname()}:999999999:dead`,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        })
        .where('name', '=', 'x')
        .execute();
      expect(await freeLeaseOfDeadProcess(db, 'x')).toBe(true);
      await db
        .updateTable('leases')
        .set({
          holder: `${hostname()}:${process.pid}:alive`,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        })
        .where('name', '=', 'x')
        .execute();
      expect(await freeLeaseOfDeadProcess(db, 'x')).toBe(false);
      await expect(
        withLease(db, 'x', { ttlMs: 60_000, waitMs: 200 }, async () => 'never'),
      ).rejects.toBeInstanceOf(LeaseTimeoutError);
    });

    it('withLease runs one holder at a time', async () => {
      app = await startTestApp(dialect);
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 6 }, () =>
          withLease(app!.ctx.store.db, 'serial', { ttlMs: 10_000, waitMs: 20_000, pollMs: 10 }, async () => {
            most = Math.max(most, ++inside);
            await new Promise((r) => setTimeout(r, 30));
            inside--;
          }),
        ),
      );
      expect(most).toBe(1);
    });

    it('after a rebuild that changed feeds, the WebSub hub gets one ping per changed feed; a failing hub is recorded, not fatal', async () => {
      const hub = await fakeHub();
      try {
        app = await startTestApp(dialect, { feed: { hubUrl: hub.url, rebuildIntervalMs: 100 } });
        app.startWorkers(['feed']);
        const item = await createItem(
          app.ctx.store,
          sampleItem(1, { tags: ['climate'], language: 'en' }),
          'test',
        );
        await requestPublish(app.ctx, item.id, { actor: 'test' });
        await waitFor(
          async () => hub.pings.includes('http://herald.test/feeds/tag/climate/atom.xml'),
          15_000,
          'hub pinged',
        );
        expect(hub.pings).toEqual(
          expect.arrayContaining([
            'http://herald.test/rss.xml',
            'http://herald.test/atom.xml',
            'http://herald.test/feed.json',
            'http://herald.test/feeds/lang/en/rss.xml',
          ]),
        );
      } finally {
        await hub.close();
      }
      // The hub is gone: the next rebuild records why the ping failed and the delivery is still done.
      const next = await createItem(app.ctx.store, sampleItem(2), 'test');
      await requestPublish(app.ctx, next.id, { actor: 'test' });
      await waitFor(
        async () =>
          (await listDeliveriesForItem(app!.ctx.store.db, next.id)).find((d) => d.kind === 'feed')?.status ===
          'done',
        15_000,
        'feed delivery done',
      );
      const builds = await waitFor(
        async () => {
          const all = await listFeedBuilds(app!.ctx.store.db);
          return all[0]?.websubError ? all : null;
        },
        15_000,
        'ping failure recorded',
      );
      expect(builds[0]?.websubError).toMatch(
        /WebSub hub http:\/\/127\.0\.0\.1:\d+\/hub did not accept the ping/,
      );
      expect(builds[0]?.error).toBeNull();
    });
  });
}
