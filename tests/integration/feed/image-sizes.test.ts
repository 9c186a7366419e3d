import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Parser from 'rss-parser';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, type TestApp } from '../../helpers/app.js';
import { startRouteServer, type RouteServer } from '../../helpers/route-server.js';
import { createItem } from '../../../src/app/items.js';
import { feedServiceFor } from '../../../src/feed/feed-service.js';
import { checkXmlWellFormed } from '../../../src/feed/xml-wellformed.js';

const PHOTO_BYTES = 48_213;

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`feed enclosures of image addresses (${dialect})`, () => {
    let app: TestApp;
    let images: RouteServer;
    const heads: string[] = [];

    beforeAll(async () => {
      images = await startRouteServer(
        new Map([
          [
            '/photo.webp',
            (_req, res) =>
              res.writeHead(200, { 'content-type': 'image/webp', 'content-length': PHOTO_BYTES }).end(),
          ],
          [
            '/login.jpg',
            (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>'),
          ],
        ]),
        (req) => heads.push(`${req.method} ${req.url}`),
      );
      app = await startTestApp(dialect);
      const published = {
        status: 'published',
        publishedAt: '2026-12-01T10:00:00.000Z',
        publishedRevision: 1,
      };
      for (const [n, file] of [
        [1, 'photo.webp'],
        [2, 'login.jpg'],
        [3, 'gone.png'],
      ] as const) {
        const item = await createItem(
          app.ctx.store,
          sampleItem(n, { imageUrl: `https://images.example.org/${file}`, imageAlt: 'A picture' }),
          'test',
        );
        // The fake listens on 127.0.0.1, which items may not name; the feed's HEAD may (allowPrivateUrls).
        await app.ctx.store.db
          .updateTable('items')
          .set({ ...published, imageUrl: `${images.base}/${file}` })
          .where('id', '=', item.id)
          .execute();
      }
    });
    afterAll(async () => {
      await app?.close();
      await images?.close();
    });

    const feed = (name: string) => readFile(path.join(feedServiceFor(app.ctx).dir, name), 'utf8');

    it('RSS, Atom and JSON Feed carry the length and type a HEAD gave; unknown: RSS length 0, no Atom length', async () => {
      await feedServiceFor(app.ctx).ensureCurrent('test', { force: true });
      const [rss, atom, json] = await Promise.all([feed('rss.xml'), feed('atom.xml'), feed('feed.json')]);
      for (const xml of [rss, atom]) expect(checkXmlWellFormed(xml)).toMatchObject({ ok: true });
      const parsed = await new Parser().parseString(rss);
      const enclosure = (file: string) =>
        parsed.items.find((i) => i.enclosure?.url.endsWith(file))?.enclosure;
      expect(enclosure('photo.webp')).toEqual({
        url: `${images.base}/photo.webp`,
        type: 'image/webp',
        length: String(PHOTO_BYTES),
      });
      // An HTML page or a 404 is not the picture: its length is not known, and RSS says 0 for that.
      expect(enclosure('login.jpg')).toMatchObject({ type: 'image/jpeg', length: '0' });
      expect(enclosure('gone.png')).toMatchObject({ type: 'image/png', length: '0' });
      expect(rss).toContain(`fileSize="${PHOTO_BYTES}" type="image/webp" medium="image"`);
      const atomFeed = await new Parser().parseString(atom);
      expect(atomFeed.items).toHaveLength(3);
      expect(atom).toContain(
        `<link rel="enclosure" type="image/webp" href="${images.base}/photo.webp" length="${PHOTO_BYTES}"/>`,
      );
      expect(atom).toContain(`<link rel="enclosure" type="image/png" href="${images.base}/gone.png"/>`);
      const items = JSON.parse(json).items as { image: string; attachments: object[] }[];
      expect(items.find((i) => i.image.endsWith('photo.webp'))?.attachments).toEqual([
        { url: `${images.base}/photo.webp`, mime_type: 'image/webp', size_in_bytes: PHOTO_BYTES },
      ]);
      expect(items.find((i) => i.image.endsWith('gone.png'))?.attachments).toEqual([
        { url: `${images.base}/gone.png`, mime_type: 'image/png' },
      ]);
      expect(heads.filter((h) => !h.startsWith('HEAD'))).toEqual([]);
    });

    it('asks each address once: the next rebuild reads the answers kept', async () => {
      const before = heads.length;
      expect(before).toBe(3);
      await feedServiceFor(app.ctx).ensureCurrent('test again', { force: true });
      expect(heads.length).toBe(before);
      const kept = await app.ctx.store.db.selectFrom('remoteImages').selectAll().orderBy('url').execute();
      expect(kept.map((k) => [path.basename(k.url), k.type, k.bytes])).toEqual([
        ['gone.png', null, null],
        ['login.jpg', null, null],
        ['photo.webp', 'image/webp', PHOTO_BYTES],
      ]);
    });
  });
}
