import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { DIALECTS } from '../../helpers/databases.js';
import { MEDIA_STORES, startTestMediaStore, type TestMediaStore } from '../../helpers/media-stores.js';
import { sampleItem, startTestApp, type TestApp } from '../../helpers/app.js';
import { multipartBody, noise, picture } from '../../helpers/media.js';
import { buildServer } from '../../../src/http/server.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

for (const { dialect, skip } of DIALECTS)
  for (const storeKind of MEDIA_STORES) {
    describe.skipIf(skip)(`media API (${dialect}, ${storeKind} store)`, () => {
      let app: TestApp;
      let http: FastifyInstance;
      let files: TestMediaStore;

      beforeAll(async () => {
        files = await startTestMediaStore(storeKind);
        app = await startTestApp(dialect, files.overrides);
        http = await buildServer(app.ctx, { apiToken: TOKEN });
      });
      afterAll(async () => {
        await http?.close();
        await app?.close();
        await files?.close();
      });

      const upload = (
        bytes: Buffer,
        name: string,
        alt: string | null = 'A red square',
        type = 'image/jpeg',
      ) => {
        const body = multipartBody({ name, type, bytes }, alt === null ? {} : { alt });
        return http.inject({
          method: 'POST',
          url: '/api/media',
          headers: { ...auth, ...body.headers },
          payload: body.payload,
        });
      };

      it.each([
        ['image/jpeg', 'jpg', () => picture().jpeg()],
        ['image/png', 'png', () => picture().png()],
        ['image/webp', 'webp', () => picture().webp()],
        ['image/gif', 'gif', () => picture().gif()],
      ])('accepts %s, stores it under its hash and serves it with its own type', async (type, ext, make) => {
        const res = await upload(await make().toBuffer(), `photo.${ext}`);
        expect(res.statusCode, res.body).toBe(201);
        const body = res.json();
        expect(body).toMatchObject({ type, width: 64, height: 48, alt: 'A red square' });
        expect(body.id).toMatch(/^med_/);
        expect(body.url).toMatch(new RegExp(`^/media/[0-9a-f]{64}\\.${ext}$`));
        const served = await http.inject({ method: 'GET', url: body.url });
        expect(served.statusCode).toBe(200);
        expect(served.headers['content-type']).toBe(type);
        expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(served.headers['x-content-type-options']).toBe('nosniff');
        expect(served.rawPayload.length).toBe(body.bytes);
        expect((await sharp(served.rawPayload).metadata()).format).toBe(ext === 'jpg' ? 'jpeg' : ext);
        if (files.bucketUrl) {
          const stored = await fetch(`${files.bucketUrl}${body.url.slice('/media'.length)}`);
          expect(stored.headers.get('content-type')).toBe(type);
          expect(Buffer.from(await stored.arrayBuffer()).equals(served.rawPayload)).toBe(true);
        }
      });

      it('decides the type by content: a PNG named .jpg is stored and served as a PNG', async () => {
        const res = await upload(
          await picture().png().toBuffer(),
          'holiday.jpg',
          'A red square',
          'image/jpeg',
        );
        expect(res.statusCode, res.body).toBe(201);
        expect(res.json()).toMatchObject({ type: 'image/png' });
        expect(res.json().url).toMatch(/\.png$/);
      });

      it.each([
        [
          'HTML named .png',
          Buffer.from('<!doctype html><html><script>alert(1)</script></html>'),
          'x.png',
          /it is HTML/,
        ],
        [
          'an SVG',
          Buffer.from(
            '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
          ),
          'x.svg',
          /SVG drawing, which can carry scripts/,
        ],
        [
          'PNG magic then garbage',
          Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('not really')]),
          'x.png',
          /cannot be decoded/,
        ],
      ])('refuses %s, naming the problem', async (_what, bytes, name, problem) => {
        const res = await upload(bytes, name);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.fields.file).toMatch(problem);
      });

      it('refuses a polyglot (a real GIF with HTML after its end)', async () => {
        const gif = await picture().gif().toBuffer();
        const res = await upload(
          Buffer.concat([gif, Buffer.from('<html><script>alert(document.cookie)</script></html>')]),
          'x.gif',
        );
        expect(res.statusCode).toBe(400);
        expect(res.json().error.fields.file).toMatch(/bytes after the end of its GIF image \(a polyglot/);
        const jpeg = await picture().jpeg().toBuffer();
        const zipped = await upload(Buffer.concat([jpeg, Buffer.from('PK\u0003\u0004payload')]), 'x.jpg');
        expect(zipped.json().error.fields.file).toMatch(/after the end of its JPEG image/);
      });

      it('refuses a file over 15 MB with 413', async () => {
        const res = await upload(Buffer.alloc(15 * 1024 * 1024 + 1, 0xff), 'big.jpg');
        expect(res.statusCode).toBe(413);
        expect(res.json().error).toMatchObject({ code: 'file_too_large' });
      });

      it('requires alt text, at most 1,000 characters', async () => {
        const bytes = await picture().png().toBuffer();
        expect((await upload(bytes, 'a.png', null)).json().error.fields.alt).toMatch(/required/);
        expect((await upload(bytes, 'a.png', '   ')).json().error.fields.alt).toMatch(/required/);
        expect((await upload(bytes, 'a.png', 'x'.repeat(1001))).json().error.fields.alt).toMatch(
          /at most 1000/,
        );
      });

      it('removes EXIF and GPS, keeping the orientation by rotating the pixels', async () => {
        const tagged = await picture(64, 48)
          .withMetadata({ orientation: 6 })
          .withExif({ IFD0: { Make: 'SpyCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '50/1 30/1 0/1' } })
          .jpeg()
          .toBuffer();
        const before = await sharp(tagged).metadata();
        expect(before.exif?.toString('latin1')).toContain('SpyCam');
        const res = await upload(tagged, 'gps.jpg');
        expect(res.statusCode, res.body).toBe(201);
        expect(res.json()).toMatchObject({ width: 48, height: 64 }); // rotated by the orientation tag
        const served = (await http.inject({ method: 'GET', url: res.json().url })).rawPayload;
        const after = await sharp(served).metadata();
        expect(after.exif).toBeUndefined();
        expect(after.xmp).toBeUndefined();
        expect(after.orientation).toBeUndefined();
        expect(served.includes(Buffer.from('SpyCam'))).toBe(false);
      });

      it('makes the versions each platform needs: Bluesky under 1,000,000 bytes, X under 5 MB, 1200 px wide', async () => {
        const big = await noise(3000, 2000).jpeg({ quality: 98 }).toBuffer();
        expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
        const res = await upload(big, 'big.jpg');
        expect(res.statusCode, res.body).toBe(201);
        const { derivatives } = res.json();
        expect(derivatives.bluesky.bytes).toBeLessThanOrEqual(1_000_000);
        expect(Math.max(derivatives.bluesky.width, derivatives.bluesky.height)).toBeLessThanOrEqual(2000);
        expect(derivatives.card.width).toBe(1200);
        expect(derivatives.newsletter.width).toBe(1200);
        for (const d of Object.values(derivatives) as { url: string; bytes: number }[]) {
          const served = await http.inject({ method: 'GET', url: d.url });
          expect(served.rawPayload.length).toBe(d.bytes);
        }
        if (derivatives.x) expect(derivatives.x.bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
        else expect(res.json().bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
      });

      it('edits alt text; refuses deleting an upload in use, naming the item; deletes it once unused', async () => {
        const created = (await upload(await picture(30, 30).png().toBuffer(), 'a.png')).json();
        const patched = await http.inject({
          method: 'PATCH',
          url: `/api/media/${created.id}`,
          headers: auth,
          payload: { alt: 'A small red square' },
        });
        expect(patched.json()).toMatchObject({ alt: 'A small red square' });
        const item = (
          await http.inject({ method: 'POST', url: '/api/items', headers: auth, payload: sampleItem(7) })
        ).json();
        await app.ctx.store.db
          .updateTable('items')
          .set({ imageId: created.id })
          .where('id', '=', item.id)
          .execute();
        const refused = await http.inject({
          method: 'DELETE',
          url: `/api/media/${created.id}`,
          headers: auth,
        });
        expect(refused.statusCode).toBe(409);
        expect(refused.json().error.message).toContain(item.id);
        expect(refused.json().error.message).toContain(item.title);
        await app.ctx.store.db
          .updateTable('items')
          .set({ imageId: null })
          .where('id', '=', item.id)
          .execute();
        expect(
          (await http.inject({ method: 'DELETE', url: `/api/media/${created.id}`, headers: auth }))
            .statusCode,
        ).toBe(204);
        expect((await http.inject({ method: 'GET', url: created.url })).statusCode).toBe(404);
      });

      it('serves only hash-named files', async () => {
        for (const url of ['/media/..%2Fherald.db', '/media/abc.svg', `/media/${'a'.repeat(64)}.html`])
          expect((await http.inject({ method: 'GET', url })).statusCode).toBe(404);
      });
    });
  }
