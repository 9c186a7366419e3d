import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import Parser from 'rss-parser';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { buildServer } from '../../../src/http/server.js';
import { createItem, editItem } from '../../../src/app/items.js';
import { requestPublish, withdraw } from '../../../src/app/publishing.js';
import { listDeliveriesForItem } from '../../../src/store/deliveries.js';
import { itemGuid } from '../../../src/feed/feed-entry.js';
import { checkXmlWellFormed } from '../../../src/feed/xml-wellformed.js';
import { feedServiceFor } from '../../../src/feed/feed-service.js';

const TOKEN = 'test-token-0123456789abcdef';
const parser = new Parser();

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`feeds served over HTTP (${dialect})`, () => {
    let app: TestApp;
    let http: FastifyInstance;

    const get = (url: string, headers: Record<string, string> = {}) =>
      http.inject({ method: 'GET', url, headers });
    const rssTitles = async (url = '/feed.xml') =>
      (await parser.parseString((await get(url)).body)).items.map((i) => i.title);
    const publish = async (n: number, extra: Record<string, unknown> = {}) => {
      const item = await createItem(app.ctx.store, sampleItem(n, extra), 'test');
      await requestPublish(app.ctx, item.id, { actor: 'test' });
      return item;
    };
    const feedDeliveriesDone = (itemId: string, count: number) => async () => {
      const feed = (await listDeliveriesForItem(app.ctx.store.db, itemId)).filter((d) => d.kind === 'feed');
      return feed.length === count && feed.every((d) => d.status === 'done');
    };

    beforeAll(async () => {
      app = await startTestApp(dialect, {
        feed: { rebuildIntervalMs: 100 },
        siteUrl: 'https://www.example.org',
      });
      http = await buildServer(app.ctx, { apiToken: TOKEN });
    });
    afterAll(async () => {
      await http?.close();
      await app?.close();
    });

    it('builds the feeds on the first request of a fresh install (no worker yet)', async () => {
      const res = await get('/feed.xml');
      expect(res.statusCode).toBe(200);
      expect(checkXmlWellFormed(res.body)).toMatchObject({ ok: true });
      expect((await parser.parseString(res.body)).items).toEqual([]);
    });

    it('publish -> the item is in every format, through the feed worker', async () => {
      app.startWorkers(['feed']);
      const item = await publish(1, { tags: ['climate', 'cities'], language: 'en' });
      await waitFor(feedDeliveriesDone(item.id, 1), 15_000, 'feed delivery done');
      expect(await rssTitles()).toEqual([item.title]);
      expect(await rssTitles('/rss.xml')).toEqual([item.title]);
      expect((await parser.parseString((await get('/atom.xml')).body)).items.map((i) => i.link)).toEqual([
        item.url,
      ]);
      const json = JSON.parse((await get('/feed.json')).body) as { items: { id: string; title: string }[] };
      expect(json.items.map((i) => [i.id, i.title])).toEqual([[itemGuid(item), item.title]]);
    });

    it('answers with content types, ETag, Last-Modified and Cache-Control', async () => {
      const cases = {
        '/feed.xml': 'application/rss+xml',
        '/rss.xml': 'application/rss+xml',
        '/atom.xml': 'application/atom+xml',
        '/feed.json': 'application/feed+json',
      };
      for (const [url, type] of Object.entries(cases)) {
        const res = await get(url);
        expect(res.headers['content-type']).toBe(`${type}; charset=utf-8`);
        expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
        expect(new Date(String(res.headers['last-modified'])).getTime()).not.toBeNaN();
        expect(res.headers['cache-control']).toBe('public, max-age=60');
      }
      expect((await get('/feed.xml')).headers.etag).toBe((await get('/rss.xml')).headers.etag);
      expect((await get('/atom.xml')).headers.etag).not.toBe((await get('/rss.xml')).headers.etag);
    });

    it('304 for If-None-Match (strong, weak, lists, *) and If-Modified-Since; 200 otherwise', async () => {
      const first = await get('/atom.xml');
      const etag = String(first.headers.etag);
      for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const res = await get('/atom.xml', { 'if-none-match': value });
        expect(res.statusCode).toBe(304);
        expect(res.body).toBe('');
        expect(res.headers.etag).toBe(etag);
      }
      expect((await get('/atom.xml', { 'if-none-match': '"stale"' })).statusCode).toBe(200);
      const lastModified = String(first.headers['last-modified']);
      expect((await get('/atom.xml', { 'if-modified-since': lastModified })).statusCode).toBe(304);
      expect(
        (
          await get('/atom.xml', {
            'if-modified-since': new Date(Date.parse(lastModified) - 60_000).toUTCString(),
          })
        ).statusCode,
      ).toBe(200);
      // If-None-Match wins over If-Modified-Since (RFC 9110).
      expect(
        (await get('/atom.xml', { 'if-none-match': '"stale"', 'if-modified-since': lastModified }))
          .statusCode,
      ).toBe(200);
    });

    it('HEAD gives the headers of GET and no body', async () => {
      const full = await get('/feed.json');
      const head = await http.inject({ method: 'HEAD', url: '/feed.json' });
      expect(head.statusCode).toBe(200);
      expect(head.body).toBe('');
      expect(head.headers['content-type']).toBe(full.headers['content-type']);
      expect(head.headers.etag).toBe(full.headers.etag);
      expect(head.headers['content-length']).toBe(String(Buffer.byteLength(full.body)));
    });

    it('per-language and per-tag feeds carry only their items; unknown ones are 404', async () => {
      const fr = await publish(2, { language: 'fr-BE', tags: ['culture'] });
      await waitFor(feedDeliveriesDone(fr.id, 1), 15_000, 'feed delivery done');
      expect(await rssTitles('/feeds/lang/fr/rss.xml')).toEqual([fr.title]);
      expect(await rssTitles('/feeds/lang/en/atom.xml')).toEqual(['Conference report 1: cities and climate']);
      expect(await rssTitles('/feeds/tag/culture/rss.xml')).toEqual([fr.title]);
      expect(await rssTitles('/feeds/tag/CLIMATE/rss.xml')).toEqual([
        'Conference report 1: cities and climate',
      ]);
      const json = await get('/feeds/tag/culture/feed.json');
      expect(json.headers['content-type']).toBe('application/feed+json; charset=utf-8');
      expect(JSON.parse(json.body).feed_url).toBe('http://herald.test/feeds/tag/culture/feed.json');
      for (const url of [
        '/feeds/lang/de/rss.xml',
        '/feeds/tag/nothing/rss.xml',
        '/feeds/tag/a%2Fb/rss.xml',
        '/feeds/lang/fr/index.html',
        '/feeds/other/x/rss.xml',
        '/feeds/rss.xml',
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.json().error.code).toBe('not_found');
      }
      expect((await get('/feeds/tag/%E0%A4%A/rss.xml')).statusCode).toBe(400); // malformed percent-encoding
    });

    it('is public (no token) while /api/sources is not', async () => {
      expect((await get('/feed.xml')).statusCode).toBe(200);
      expect((await get('/api/sources')).statusCode).toBe(401);
      expect((await get('/api/sources', { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
    });

    it('edit + publish -> updated title, same guid; unpublished edits stay out of the feed', async () => {
      const item = await publish(3);
      await waitFor(feedDeliveriesDone(item.id, 1), 15_000, 'feed delivery done');
      await editItem(app.ctx.store, item.id, { title: 'Draft edit, not published' }, 'test');
      // Another item's publication rebuilds the feeds: the unpublished edit must not leak into them.
      const other = await publish(4);
      await waitFor(feedDeliveriesDone(other.id, 1), 15_000, 'feed delivery done');
      let titles = await rssTitles();
      expect(titles).toContain(item.title);
      expect(titles).not.toContain('Draft edit, not published');
      await editItem(app.ctx.store, item.id, { title: 'Corrected title' }, 'test');
      await requestPublish(app.ctx, item.id, { actor: 'test' });
      await waitFor(feedDeliveriesDone(item.id, 2), 15_000, 'feed update done');
      titles = await rssTitles();
      expect(titles).toContain('Corrected title');
      expect(titles).not.toContain(item.title);
      const json = JSON.parse((await get('/feed.json')).body) as { items: { id: string; title: string }[] };
      expect(json.items.find((i) => i.title === 'Corrected title')?.id).toBe(itemGuid(item));
    });

    it('a feed file deleted by hand is written again by the periodic check', async () => {
      const before = (await get('/atom.xml')).body;
      await rm(path.join(app.db.dataDir, 'feeds', 'atom.xml'));
      expect((await get('/atom.xml')).statusCode).toBe(404);
      const outcome = await feedServiceFor(app.ctx).ensureCurrent('periodic check');
      expect(outcome.written).toEqual(['atom.xml']);
      expect((await get('/atom.xml')).body).toBe(before);
    });

    it('withdraw -> gone from the feeds, including its language and tag feeds', async () => {
      const item = await publish(5, { tags: ['ephemeral'] });
      await waitFor(feedDeliveriesDone(item.id, 1), 15_000, 'feed delivery done');
      expect(await rssTitles('/feeds/tag/ephemeral/rss.xml')).toEqual([item.title]);
      await withdraw(app.ctx, item.id, { deletePosts: false, actor: 'test' });
      await waitFor(feedDeliveriesDone(item.id, 2), 15_000, 'feed delete done');
      expect(await rssTitles()).not.toContain(item.title);
      expect(await rssTitles('/feeds/tag/ephemeral/rss.xml')).toEqual([]);
      expect(
        JSON.parse((await get('/feed.json')).body).items.map((i: { title: string }) => i.title),
      ).not.toContain(item.title);
    });
  });
}
