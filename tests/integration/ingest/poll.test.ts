import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import YAML from 'yaml';
import { DIALECTS } from '../../helpers/databases.js';
import { startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { startFakeFeedSource, type FakeEntry, type FakeFeedSource } from '../../fakes/feed-source.js';
import { createContext } from '../../../src/app/context.js';
import { createLogger } from '../../../src/log.js';
import { buildServer } from '../../../src/http/server.js';
import { pollSource, type IngestDeps } from '../../../src/ingest/poll.js';
import { importEntry } from '../../../src/ingest/import-entry.js';
import type { FeedSourceConfig } from '../../../src/config/feed.js';
import { insertSourceEntry } from '../../../src/store/feed-sources.js';
import { insertItem, getItem } from '../../../src/store/items.js';
import { listDeliveriesForItem } from '../../../src/store/deliveries.js';
import { TEST_REDIS } from '../../helpers/redis.js';

const TOKEN = 'test-token-0123456789abcdef';
const entries = (...ns: number[]): FakeEntry[] =>
  ns.map((n) => ({
    guid: `cms-${n}`,
    title: `Town news ${n}`,
    categories: ['Vie locale'],
    date: `2026-03-0${n}T10:00:00Z`,
  }));

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`website feed ingest (${dialect})`, () => {
    let app: TestApp | undefined;
    let fake: FakeFeedSource | undefined;
    afterEach(async () => {
      await app?.close();
      await fake?.close();
      app = undefined;
      fake = undefined;
    });

    const start = async (
      sources: (f: FakeFeedSource) => Array<Partial<FeedSourceConfig> & { id: string; url: string }>,
      initial = entries(1, 2, 3),
    ) => {
      fake = await startFakeFeedSource(initial);
      app = await startTestApp(dialect, {
        feed: {
          sources: sources(fake),
          allowPrivateSources: true,
          fetchTimeoutMs: 500,
          rebuildIntervalMs: 100,
        },
      });
      return { app, fake };
    };
    const source = (a: TestApp, id = 'town') => a.ctx.config.feed.sources.find((s) => s.id === id)!;
    const items = (a: TestApp) =>
      a.ctx.store.db
        .selectFrom('items')
        .select(['id', 'title', 'status', 'url', 'tags', 'language'])
        .orderBy('createdAt')
        .orderBy('id')
        .execute();

    it('new entries become items exactly once: repeated polls (304), changed titles, lost validators, a restart, concurrent polls', async () => {
      const { app, fake } = await start((f) => [{ id: 'town', url: f.url() }]);
      const first = await pollSource(app.ctx, source(app));
      expect(first).toMatchObject({ ok: true, entries: 3, skipped: [] });
      expect(first.created).toHaveLength(3);
      expect((await items(app)).map((i) => [i.title, i.status, i.language, i.tags])).toEqual(
        [1, 2, 3].map((n) => [`Town news ${n}`, 'draft', 'fr', '["Vie-locale"]']),
      );

      const again = await pollSource(app.ctx, source(app));
      expect(again).toMatchObject({ ok: true, notModified: true, created: [] });
      expect(fake.stats).toMatchObject({ requests: 2, conditional: 1, notModified: 1 });

      fake.setEntries([{ ...entries(1)[0]!, title: 'Town news 1 (title corrected)' }, ...entries(2, 3, 4)]);
      const changed = await pollSource(app.ctx, source(app));
      expect(changed.created).toHaveLength(1);
      expect((await items(app)).map((i) => i.title)).toEqual([
        'Town news 1',
        'Town news 2',
        'Town news 3',
        'Town news 4',
      ]);

      // The validators are lost (say, a poll cut short): the whole feed comes again, and nothing doubles.
      await app.ctx.store.db.updateTable('feedSources').set({ etag: null, lastModified: null }).execute();
      expect((await pollSource(app.ctx, source(app))).created).toEqual([]);

      // A restart: another process, another connection to the same database.
      const restarted = await createContext(app.ctx.config, {
        redis: TEST_REDIS,
        log: createLogger('silent'),
      });
      try {
        await restarted.store.db.updateTable('feedSources').set({ etag: null, lastModified: null }).execute();
        expect((await pollSource(restarted, source(app))).created).toEqual([]);
        // Two polls at once (two workers): each new entry still becomes exactly one item.
        fake.setEntries(entries(1, 2, 3, 4, 5, 6, 7));
        const [a, b] = await Promise.all([
          pollSource(app.ctx, source(app)),
          pollSource(restarted, source(app)),
        ]);
        expect(a.created.length + b.created.length).toBe(3);
      } finally {
        await restarted.close();
      }
      const all = await items(app);
      expect(all).toHaveLength(7);
      expect(new Set(all.map((i) => i.url)).size).toBe(7);
      const rows = await app.ctx.store.db
        .selectFrom('feedSourceEntries')
        .select(['entryKey', 'itemId'])
        .execute();
      expect(rows.map((r) => r.entryKey).sort()).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `cms-${n}`));
    });

    it('the entry record refuses a second item even when imports race past the "seen" check', async () => {
      const { app } = await start((f) => [{ id: 'town', url: f.url() }]);
      const fields = {
        title: 'Raced',
        summary: '',
        body: '',
        url: 'https://www.example.org/news/raced',
        imageUrl: null,
        imageAlt: null,
        tags: [],
        language: 'en',
        translations: {},
        channelTexts: {},
        thread: false,
        slug: 'raced',
      };
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () =>
          importEntry(app.ctx, source(app), { key: 'cms-raced', date: null, fields }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'created')).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === 'seen')).toHaveLength(4);
      expect((await items(app)).filter((i) => i.title === 'Raced')).toHaveLength(1);
    });

    it('a publish source publishes at once; an item left unpublished by an interrupted poll is published by the next', async () => {
      const { app } = await start(
        (f) => [{ id: 'town', url: f.url(), mode: 'publish', language: 'en' }],
        entries(1),
      );
      const result = await pollSource(app.ctx, source(app));
      const item = await getItem(app.ctx.store.db, result.created[0]!);
      expect(item).toMatchObject({ status: 'published', language: 'en', title: 'Town news 1' });
      expect((await listDeliveriesForItem(app.ctx.store.db, item.id)).map((d) => d.kind)).toContain('feed');

      // The process stopped after the item and its entry record were committed, before publishing.
      const interrupted = await app.ctx.store.transaction(async (trx) => {
        const draft = await insertItem(
          trx,
          {
            title: 'Left as a draft',
            summary: '',
            body: '',
            url: 'https://www.example.org/news/left',
            imageUrl: null,
            imageAlt: null,
            tags: [],
            language: 'en',
            translations: {},
            channelTexts: {},
            thread: false,
            slug: 'left-as-a-draft',
          },
          'ingest:town',
        );
        await insertSourceEntry(trx, {
          sourceId: 'town',
          key: 'cms-left',
          itemId: draft.id,
          entryDate: null,
          publishPending: true,
        });
        return draft;
      });
      await pollSource(app.ctx, source(app));
      expect((await getItem(app.ctx.store.db, interrupted.id)).status).toBe('published');
    });

    it('the ingest worker polls each source on its schedule, by itself', async () => {
      const { app, fake } = await start((f) => [{ id: 'town', url: f.url(), everyMinutes: 5 }]);
      app.startWorkers(['ingest']);
      await waitFor(async () => (await items(app)).length === 3, 15_000, 'three imported items');
      const schedulers = await app.ctx.queues.get('ingest').getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.every])).toEqual([['source-town', 300_000]]);
      expect(fake.stats.requests).toBe(1);
    });

    it('malformed XML, a 500, a timeout, a redirect loop and a private address: each recorded with a plain reason, no items; retried later', async () => {
      const { app, fake } = await start((f) => [
        { id: 'broken', url: f.url('/broken.xml') },
        { id: 'error', url: f.url('/error') },
        { id: 'slow', url: f.url('/slow') },
        { id: 'loop', url: f.url('/loop') },
        { id: 'hops', url: f.url('/hop/4') },
        { id: 'ok-hops', url: f.url('/hop/2') },
        { id: 'town', url: f.url() },
      ]);
      const strict: IngestDeps = { ...app.ctx, config: { ...app.ctx.config, allowPrivateUrls: false } };
      const cases: Array<[string, IngestDeps, string, RegExp]> = [
        ['broken', app.ctx, 'malformed', /^malformed feed: .*(line 3|titel)/],
        ['error', app.ctx, 'http', /^HTTP 500 from the source$/],
        ['slow', app.ctx, 'timeout', /^timed out after 0.5 s$/],
        ['loop', app.ctx, 'redirect', /^too many redirects \(more than 3\)$/],
        ['hops', app.ctx, 'redirect', /^too many redirects \(more than 3\)$/],
        ['town', strict, 'blocked', /^address 127\.0\.0\.1 is (loopback|private)/],
      ];
      for (const [id, deps, kind, reason] of cases) {
        const result = await pollSource(deps, source(app, id));
        expect(result.ok, id).toBe(false);
        expect(result.error?.kind, id).toBe(kind);
        expect(result.error?.reason, id).toMatch(reason);
      }
      expect((await pollSource(app.ctx, source(app, 'ok-hops'))).created).toHaveLength(3); // 3 redirects are fine
      expect(await items(app)).toHaveLength(3);

      const http: FastifyInstance = await buildServer(app.ctx, { apiToken: TOKEN });
      const listed = (
        await http.inject({
          method: 'GET',
          url: '/api/sources',
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).json().sources as Array<{
        id: string;
        lastError: { kind: string; reason: string } | null;
        consecutiveFailures: number;
        itemsCreated: number;
      }>;
      await http.close();
      const byId = Object.fromEntries(listed.map((s) => [s.id, s]));
      expect(byId.error).toMatchObject({
        lastError: { kind: 'http', reason: 'HTTP 500 from the source' },
        consecutiveFailures: 1,
        itemsCreated: 0,
      });
      expect(byId.slow?.lastError?.kind).toBe('timeout');
      expect(byId.town?.lastError?.kind).toBe('blocked');
      expect(byId['ok-hops']).toMatchObject({ lastError: null, itemsCreated: 3 });

      // Retried later: a failing source that recovers is read at its next poll and its error cleared.
      fake.failWith(503);
      expect((await pollSource(app.ctx, source(app, 'town'))).error).toMatchObject({
        kind: 'http',
        reason: 'HTTP 503 from the source',
      });
      fake.failWith(null);
      const recovered = await pollSource(app.ctx, source(app, 'town'));
      expect(recovered).toMatchObject({ ok: true, error: null });
      const row = await app.ctx.store.db
        .selectFrom('feedSources')
        .selectAll()
        .where('id', '=', 'town')
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ lastError: null, consecutiveFailures: 0 });
    });

    it('`herald ingest run` and `herald status` report each source, failures with their reason', async () => {
      const { app } = await start((f) => [
        { id: 'town', url: f.url() },
        { id: 'error', url: f.url('/error') },
      ]);
      const file = path.join(app.db.dataDir, 'herald.yaml');
      writeFileSync(
        file,
        YAML.stringify({ feed: { sources: app.ctx.config.feed.sources, allowPrivateSources: true } }),
      );
      const env = { ...app.childEnv(), HERALD_CONFIG: file };
      const run = spawnHerald(['ingest', 'run'], env);
      expect(await waitForExit(run, 60_000)).toBe(1); // one source failed
      expect(run.output()).toMatch(/town\s+3 entries, 3 new items, 0 skipped/);
      expect(run.output()).toMatch(/error\s+FAILED \(http\): HTTP 500 from the source/);
      const status = spawnHerald(['status'], env);
      expect(await waitForExit(status, 60_000)).toBe(0);
      expect(status.output()).toMatch(/town\s+draft\s+3 items\s+ok, last read/);
      expect(status.output()).toMatch(
        /error\s+draft\s+0 items\s+FAILING \(1x\) since .*: HTTP 500 from the source/,
      );
      expect(await items(app)).toHaveLength(3);
    }, 120_000);
  });
}
