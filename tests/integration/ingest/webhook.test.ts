import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import Parser from 'rss-parser';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { buildServer } from '../../../src/http/server.js';
import { randomUUID } from 'node:crypto';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../../src/ingest/webhook-signature.js';

const TOKEN = 'test-token-0123456789abcdef';
const SECRET = `whsec_${Buffer.from('cms-shared-secret-0123456789-abcdef').toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.from('another-secret-0123456789-abcdefgh').toString('base64')}`;
const MINUTE = 60_000;

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`CMS publish webhook (${dialect})`, () => {
    let app: TestApp;
    let http: FastifyInstance;

    const post = (body: string, headers: Record<string, string> = {}) =>
      http.inject({
        method: 'POST',
        url: '/api/hooks/publish',
        payload: body,
        headers: { 'content-type': 'application/json', ...headers },
      });
    const sign = (body: string, id = `msg_${randomUUID()}`, at = new Date(), secret = SECRET) =>
      signWebhook(secret, id, body, at);
    const signed = (payload: unknown) => {
      const body = JSON.stringify(payload);
      return post(body, sign(body));
    };
    const count = async () =>
      Number(
        (
          await app.ctx.store.db
            .selectFrom('items')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

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
      expect(
        body.deliveries.map((d: { kind: string; target: string }) => `${d.kind}:${d.target}`).sort(),
      ).toEqual(['channel:twitter', 'feed:main']);
      const feed = await waitFor(
        async () => {
          const items = (
            await new Parser().parseString((await http.inject({ method: 'GET', url: '/feed.xml' })).body)
          ).items;
          return items.length === 1 ? items : null;
        },
        15_000,
        'the item in the feed',
      );
      expect(feed[0]?.title).toBe(sampleItem(1).title);
    });

    it('is idempotent on the CMS id: a retry answers 200 with the same item and creates nothing', async () => {
      const before = await count();
      const res = await signed({ ...sampleItem(1), externalId: 'cms-42', channels: ['twitter'] });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ created: false, status: 'published' });
      const retries = await Promise.all(
        [1, 2, 3].map(() => signed({ ...sampleItem(7), externalId: 'cms-race' })),
      );
      expect(retries.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
      expect(new Set(retries.map((r) => r.json().id)).size).toBe(1);
      expect(await count()).toBe(before + 1);
    });

    it('rejects a missing, malformed, wrong, old or future signature with 401 and no detail, and changes nothing', async () => {
      const before = await count();
      const body = JSON.stringify(sampleItem(2));
      const good = sign(body);
      const answers = await Promise.all([
        post(body),
        post(body, { ...good, [WEBHOOK_SIGNATURE_HEADER]: 'v1,' }),
        post(body, { ...good, 'webhook-timestamp': 'soon' }),
        post(body, { 'webhook-id': good['webhook-id'], 'webhook-signature': good['webhook-signature'] }),
        post(body, sign(body, undefined, new Date(), OTHER_SECRET)), // wrong secret
        post(`${body} `, sign(body)), // tampered: one byte more
        post(body.replace('report-2', 'report-3'), sign(body)), // tampered: another item
        post(body, { ...sign(body), 'webhook-id': 'msg_other' }), // the id is signed too
        post(body, sign(body, undefined, new Date(Date.now() - 6 * MINUTE))), // old
        post(body, sign(body, undefined, new Date(Date.now() + 6 * MINUTE))), // future
        post(body, {
          ...good,
          [WEBHOOK_SIGNATURE_HEADER]: good[WEBHOOK_SIGNATURE_HEADER].replace('v1,', 'v2,'),
        }),
        post(body, { 'x-herald-signature': 'sha256=00', authorization: `Bearer ${TOKEN}` }), // the old scheme is gone
      ]);
      for (const res of answers) {
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({
          error: { code: 'unauthorized', message: 'the request signature is not valid' },
        });
        expect(res.body).not.toContain(SECRET);
      }
      expect(await count()).toBe(before);
    });

    it('accepts a timestamp within 5 minutes either way', async () => {
      for (const [n, offset] of [
        [10, -4 * MINUTE],
        [11, 4 * MINUTE],
      ] as const) {
        const body = JSON.stringify(sampleItem(n));
        expect((await post(body, sign(body, undefined, new Date(Date.now() + offset)))).statusCode).toBe(201);
      }
    });

    it('a replayed message (same webhook-id) answers 200 with the first result and does nothing, even without an externalId', async () => {
      const body = JSON.stringify(sampleItem(20));
      const headers = sign(body);
      const first = await post(body, headers);
      expect(first.statusCode).toBe(201);
      const before = await count();
      const deliveries = await app.ctx.store.db.selectFrom('deliveries').select('id').execute();
      for (let i = 0; i < 3; i++) {
        const replayed = await post(body, headers);
        expect(replayed.statusCode).toBe(200);
        expect(replayed.headers['webhook-replayed']).toBe('true');
        expect(replayed.json()).toEqual(first.json());
      }
      const together = await Promise.all([1, 2, 3].map(() => post(body, headers)));
      for (const res of together) expect(res.statusCode).toBe(200);
      expect(await count()).toBe(before);
      expect(await app.ctx.store.db.selectFrom('deliveries').select('id').execute()).toHaveLength(
        deliveries.length,
      );
      const row = await app.ctx.store.db
        .selectFrom('requestKeys')
        .selectAll()
        .where('scope', '=', 'webhook')
        .where('key', '=', headers['webhook-id'])
        .executeTakeFirstOrThrow();
      expect(Date.parse(row.expiresAt) - Date.now()).toBeGreaterThan(23 * 60 * MINUTE); // remembered at least a day
    });

    it('the same webhook-id with another signed body gets 422 and creates nothing', async () => {
      const body = JSON.stringify(sampleItem(21));
      const headers = sign(body);
      expect((await post(body, headers)).statusCode).toBe(201);
      const before = await count();
      const other = JSON.stringify(sampleItem(22));
      const res = await post(other, sign(other, headers['webhook-id']));
      expect(res.statusCode).toBe(422);
      expect(await count()).toBe(before);
    });

    it('validates a signed body: 400 naming each bad field, nothing created', async () => {
      const before = await count();
      const res = await signed({
        title: '',
        url: 'ftp://x',
        channels: ['nope'],
        colour: 'red',
        externalId: '',
      });
      expect(res.statusCode).toBe(400);
      expect(Object.keys(res.json().error.fields).sort()).toEqual([
        'channels',
        'colour',
        'externalId',
        'title',
        'url',
      ]);
      const notJson = post('{"title": ', sign('{"title": '));
      expect((await notJson).json().error.code).toBe('malformed_json');
      expect((await signed([1, 2])).json().error.fields).toEqual({ '(body)': 'must be a JSON object' });
      expect(await count()).toBe(before);
    });

    it('is off (404) when no secret is configured', async () => {
      const off = await startTestApp(dialect);
      const server = await buildServer(off.ctx, { apiToken: TOKEN });
      try {
        const body = JSON.stringify(sampleItem(3));
        const res = await server.inject({
          method: 'POST',
          url: '/api/hooks/publish',
          payload: body,
          headers: { 'content-type': 'application/json', ...sign(body) },
        });
        expect(res.statusCode).toBe(404);
      } finally {
        await server.close();
        await off.close();
      }
    });
  });
}
