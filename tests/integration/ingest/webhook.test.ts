import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import Parser from 'rss-parser';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { buildServer } from '../../../src/http/server.js';
import { SIGNATURE_HEADER, sign } from '../../../src/ingest/webhook-signature.js';

const TOKEN = 'test-token-0123456789abcdef';
const SECRET = 'cms-shared-secret-0123456789';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`CMS publish webhook (${dialect})`, () => {
    let app: TestApp;
    let http: FastifyInstance;

    const post = (body: string, headers: Record<string, string> = {}) =>
      http.inject({ method: 'POST', url: '/api/hooks/publish', payload: body, headers: { 'content-type': 'application/json', ...headers } });
    const signed = (payload: unknown) => {
      const body = JSON.stringify(payload);
      return post(body, { [SIGNATURE_HEADER]: sign(SECRET, body) });
    };
    const count = async () => Number((await app.ctx.store.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    beforeAll(async () => {
      app = await startTestApp(dialect, { feed: { webhookSecret: SECRET, rebuildIntervalMs: 100 } });
      app.startWorkers(['feed']);
      http = await buildServer(app.ctx, { apiToken: TOKEN });
    });
    afterAll(async () => {
      await http?.close();
      await app?.close();
    });

    it('a correctly signed call creates and publishes the item (no API token needed); it reaches the feed', async () => {
      const res = await signed({ ...sampleItem(1), externalId: 'cms-42', channels: ['twitter'] });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({ status: 'published', title: sampleItem(1).title, created: true });
      expect(res.headers.location).toBe(`/api/items/${body.id}`);
      expect(body.deliveries.map((d: { kind: string; target: string }) => `${d.kind}:${d.target}`).sort()).toEqual(['channel:twitter', 'feed:main']);
      const feed = await waitFor(async () => {
        const items = (await new Parser().parseString((await http.inject({ method: 'GET', url: '/feed.xml' })).body)).items;
        return items.length === 1 ? items : null;
      }, 15_000, 'the item in the feed');
      expect(feed[0]?.title).toBe(sampleItem(1).title);
    });

    it('is idempotent on the CMS id: a retry answers 200 with the same item and creates nothing', async () => {
      const before = await count();
      const res = await signed({ ...sampleItem(1), externalId: 'cms-42', channels: ['twitter'] });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ created: false, status: 'published' });
      const retries = await Promise.all([1, 2, 3].map(() => signed({ ...sampleItem(7), externalId: 'cms-race' })));
      expect(retries.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
      expect(new Set(retries.map((r) => r.json().id)).size).toBe(1);
      expect(await count()).toBe(before + 1);
    });

    it('rejects a missing, malformed or wrong signature with 401 and no detail, and changes nothing', async () => {
      const before = await count();
      const body = JSON.stringify(sampleItem(2));
      const answers = await Promise.all([
        post(body),
        post(body, { [SIGNATURE_HEADER]: 'sha256=' }),
        post(body, { [SIGNATURE_HEADER]: sign('another-secret-0123456789', body) }),
        post(body, { [SIGNATURE_HEADER]: sign(SECRET, `${body} `) }),
        post(body.replace('report-2', 'report-3'), { [SIGNATURE_HEADER]: sign(SECRET, body) }),
        post(body, { [SIGNATURE_HEADER]: sign(SECRET, body).replace('sha256=', 'sha1=') }),
        post(body, { authorization: `Bearer ${TOKEN}` }),
      ]);
      for (const res of answers) {
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: { code: 'unauthorized', message: 'the request signature is not valid' } });
        expect(res.body).not.toContain(SECRET);
      }
      expect(await count()).toBe(before);
    });

    it('validates a signed body: 400 naming each bad field, nothing created', async () => {
      const before = await count();
      const res = await signed({ title: '', url: 'ftp://x', channels: ['nope'], colour: 'red', externalId: '' });
      expect(res.statusCode).toBe(400);
      expect(Object.keys(res.json().error.fields).sort()).toEqual(['channels', 'colour', 'externalId', 'title', 'url']);
      const notJson = post('{"title": ', { [SIGNATURE_HEADER]: sign(SECRET, '{"title": ') });
      expect((await notJson).json().error.code).toBe('malformed_json');
      expect((await signed([1, 2])).json().error.fields).toEqual({ '(body)': 'must be a JSON object' });
      expect(await count()).toBe(before);
    });

    it('is off (404) when no secret is configured', async () => {
      const off = await startTestApp(dialect);
      const server = await buildServer(off.ctx, { apiToken: TOKEN });
      try {
        const body = JSON.stringify(sampleItem(3));
        const res = await server.inject({ method: 'POST', url: '/api/hooks/publish', payload: body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(SECRET, body) } });
        expect(res.statusCode).toBe(404);
      } finally {
        await server.close();
        await off.close();
      }
    });
  });
}
