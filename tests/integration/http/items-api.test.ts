import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { buildServer } from '../../../src/http/server.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { ...auth, 'content-type': 'application/json' };

/** Every row of every table: a rejected request must leave this unchanged. */
async function snapshot(app: TestApp) {
  const db = app.ctx.store.db;
  return JSON.stringify({
    items: await db.selectFrom('items').selectAll().orderBy('id').execute(),
    revisions: await db
      .selectFrom('itemRevisions')
      .selectAll()
      .orderBy('itemId')
      .orderBy('revision')
      .execute(),
    deliveries: await db.selectFrom('deliveries').selectAll().orderBy('id').execute(),
    audit: await db.selectFrom('auditLog').selectAll().orderBy('id').execute(),
  });
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`items API (${dialect})`, () => {
    let app: TestApp;
    let http: FastifyInstance;
    let itemId: string;

    beforeAll(async () => {
      app = await startTestApp(dialect);
      app.startWorkers(['channel', 'publish', 'feed']);
      http = await buildServer(app.ctx, { apiToken: TOKEN });
      const res = await http.inject({
        method: 'POST',
        url: '/api/items',
        headers: json,
        payload: sampleItem(1),
      });
      itemId = res.json().id;
    });
    afterAll(async () => {
      await http?.close();
      await app?.close();
    });

    it('POST /api/items creates a draft (201, Location)', async () => {
      const res = await http.inject({
        method: 'POST',
        url: '/api/items',
        headers: json,
        payload: sampleItem(2, { imageUrl: 'https://example.org/a.jpg', imageAlt: 'Mayors on stage' }),
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({
        status: 'draft',
        revision: 1,
        slug: 'conference-report-2-cities-and-climate',
        imageAlt: 'Mayors on stage',
      });
      expect(body.bodyHtml).toContain('<strong>declaration</strong>');
      expect(res.headers.location).toBe(`/api/items/${body.id}`);
      expect(body.scheduleToken).toBeUndefined();
    });

    it('GET /api/items filters by status and pages', async () => {
      const res = await http.inject({ method: 'GET', url: '/api/items?status=draft&limit=1', headers: auth });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ limit: 1, offset: 0 });
      expect(res.json().items).toHaveLength(1);
      expect(res.json().total).toBeGreaterThanOrEqual(2);
      const bad = await http.inject({
        method: 'GET',
        url: '/api/items?status=lost&limit=500',
        headers: auth,
      });
      expect(bad.statusCode).toBe(400);
      expect(Object.keys(bad.json().error.fields).sort()).toEqual(['limit', 'status']);
    });

    it('PATCH /api/items/:id makes a new revision; a no-op patch does not', async () => {
      const res = await http.inject({
        method: 'PATCH',
        url: `/api/items/${itemId}`,
        headers: json,
        payload: { summary: 'Updated summary' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ revision: 2, summary: 'Updated summary', changed: true });
      const same = await http.inject({
        method: 'PATCH',
        url: `/api/items/${itemId}`,
        headers: json,
        payload: { summary: 'Updated summary' },
      });
      expect(same.json()).toMatchObject({ revision: 2, changed: false });
    });

    it('publish (202), then GET shows deliveries done with links; publishing again is a 200 no-op', async () => {
      const res = await http.inject({
        method: 'POST',
        url: `/api/items/${itemId}/publish`,
        headers: json,
        payload: {},
      });
      expect(res.statusCode).toBe(202);
      expect(res.json().deliveries).toHaveLength(3); // twitter, facebook, feed
      const done = await waitFor(async () => {
        const item = (
          await http.inject({ method: 'GET', url: `/api/items/${itemId}`, headers: auth })
        ).json();
        return item.deliveries.every((d: { status: string }) => d.status === 'done') ? item : null;
      });
      expect(done.deliveries.find((d: { kind: string }) => d.kind === 'channel').remoteUrl).toMatch(
        /^http:\/\/herald\.test\/api\/dry-run-posts\/out_/,
      );
      expect(done.history.map((h: { action: string }) => h.action)).toEqual([
        'created',
        'edited',
        'published',
      ]);
      const again = await http.inject({ method: 'POST', url: `/api/items/${itemId}/publish`, headers: auth });
      expect(again.statusCode).toBe(200);
      expect(again.json().changed).toBe(false);
      const dryRunPosts = (
        await http.inject({ method: 'GET', url: '/api/dry-run-posts', headers: auth })
      ).json();
      expect(dryRunPosts.posts).toHaveLength(2);
      // The old name answers the same for one release.
      const old = await http.inject({
        method: 'GET',
        url: `/api/outbox/${dryRunPosts.posts[0].id}`,
        headers: auth,
      });
      expect(old.json()).toEqual(dryRunPosts.posts[0]);
    });

    it('schedule in a zone, reschedule, cancel', async () => {
      const created = (
        await http.inject({ method: 'POST', url: '/api/items', headers: json, payload: sampleItem(3) })
      ).json();
      const res = await http.inject({
        method: 'POST',
        url: `/api/items/${created.id}/publish`,
        headers: json,
        payload: { at: '2099-12-03T09:30', timezone: 'Europe/Paris' },
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({
        status: 'scheduled',
        publishAt: '2099-12-03T08:30:00.000Z',
        publishTimezone: 'Europe/Paris',
        scheduled: true,
      });
      expect(res.json().publishAtLocal).toBe('2099-12-03 09:30 Europe/Paris');
      const moved = await http.inject({
        method: 'POST',
        url: `/api/items/${created.id}/publish`,
        headers: json,
        payload: { at: '2099-07-01T09:30:00+02:00' },
      });
      expect(moved.json().publishAt).toBe('2099-07-01T07:30:00.000Z');
      const cancel = await http.inject({
        method: 'POST',
        url: `/api/items/${created.id}/cancel`,
        headers: auth,
      });
      expect(cancel.statusCode).toBe(200);
      expect(cancel.json()).toMatchObject({ status: 'draft', publishAt: null });
      const again = await http.inject({
        method: 'POST',
        url: `/api/items/${created.id}/cancel`,
        headers: auth,
      });
      expect(again.statusCode).toBe(409);
    });

    it('a time in the repeated hour of a DST change is refused on `at` until an offset says which one', async () => {
      const created = (
        await http.inject({ method: 'POST', url: '/api/items', headers: json, payload: sampleItem(31) })
      ).json();
      const before = await snapshot(app);
      const refused = await http.inject({
        method: 'POST',
        url: `/api/items/${created.id}/publish`,
        headers: json,
        payload: { at: '2099-10-25T02:30', timezone: 'Europe/Brussels' },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.fields.at).toBe(
        '2099-10-25T02:30 happens twice in Europe/Brussels (the clocks go back); give the offset: 2099-10-25T02:30+02:00 for the first or 2099-10-25T02:30+01:00 for the second',
      );
      expect(await snapshot(app)).toBe(before);
      const second = await http.inject({
        method: 'POST',
        url: `/api/items/${created.id}/publish`,
        headers: json,
        payload: { at: '2099-10-25T02:30+01:00', timezone: 'Europe/Brussels' },
      });
      expect(second.statusCode).toBe(202);
      expect(second.json()).toMatchObject({
        publishAt: '2099-10-25T01:30:00.000Z',
        publishAtLocal: '2099-10-25 02:30 Europe/Brussels (UTC+01:00)',
      });
    });

    it('withdraw cancels what has not gone out and records it', async () => {
      const created = (
        await http.inject({ method: 'POST', url: '/api/items', headers: json, payload: sampleItem(4) })
      ).json();
      await http.inject({ method: 'POST', url: `/api/items/${created.id}/publish`, headers: auth });
      await waitFor(async () =>
        (await http.inject({ method: 'GET', url: `/api/items/${created.id}`, headers: auth }))
          .json()
          .deliveries.every((d: { status: string }) => d.status === 'done'),
      );
      const res = await http.inject({
        method: 'POST',
        url: `/api/items/${created.id}/withdraw`,
        headers: json,
        payload: { deletePosts: true },
      });
      expect(res.statusCode).toBe(202);
      expect(res.json().status).toBe('withdrawn');
      expect(res.json().deliveries.filter((d: { action: string }) => d.action === 'delete')).toHaveLength(3); // 2 posts + the feeds
      await waitFor(async () =>
        (await http.inject({ method: 'GET', url: `/api/items/${created.id}`, headers: auth }))
          .json()
          .deliveries.every((d: { status: string }) => d.status === 'done'),
      );
    });

    it('DELETE: a draft goes (204, then 404); a published item must be withdrawn first (409, nothing changed)', async () => {
      const draft = (
        await http.inject({ method: 'POST', url: '/api/items', headers: json, payload: sampleItem(5) })
      ).json();
      const gone = await http.inject({ method: 'DELETE', url: `/api/items/${draft.id}`, headers: auth });
      expect(gone.statusCode).toBe(204);
      expect(
        (await http.inject({ method: 'GET', url: `/api/items/${draft.id}`, headers: auth })).statusCode,
      ).toBe(404);
      const before = await snapshot(app);
      const refused = await http.inject({ method: 'DELETE', url: `/api/items/${itemId}`, headers: auth });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.message).toBe('a published item cannot be deleted; withdraw it first');
      expect(await snapshot(app)).toBe(before);
    });

    it('DELETE refuses an item imported from a website feed (it would be imported again)', async () => {
      const draft = (
        await http.inject({ method: 'POST', url: '/api/items', headers: json, payload: sampleItem(6) })
      ).json();
      await app.ctx.store.db
        .insertInto('feedSourceEntries')
        .values({
          sourceId: 'website',
          keyHash: 'k1',
          entryKey: 'https://example.org/news/6',
          itemId: draft.id,
          entryDate: null,
          publishPending: 0,
          createdAt: new Date().toISOString(),
        })
        .execute();
      const refused = await http.inject({ method: 'DELETE', url: `/api/items/${draft.id}`, headers: auth });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('imported');
    });

    it('retry: only a failed delivery (409 otherwise, 404 for an unknown id)', async () => {
      const item = (await http.inject({ method: 'GET', url: `/api/items/${itemId}`, headers: auth })).json();
      const res = await http.inject({
        method: 'POST',
        url: `/api/deliveries/${item.deliveries[0].id}/retry`,
        headers: auth,
      });
      expect(res.statusCode).toBe(409);
      const missing = await http.inject({
        method: 'POST',
        url: `/api/deliveries/dlv_${'0'.repeat(32)}/retry`,
        headers: auth,
      });
      expect(missing.statusCode).toBe(404);
    });

    it('GET /healthz and /api/openapi.json', async () => {
      const health = await http.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toEqual({ status: 'ok', database: { ok: true }, redis: { ok: true } });
      const doc = (await http.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toContain('/api/items/{id}/publish');
      expect(doc.components.schemas.ItemInput.properties.title.maxLength).toBe(300);
    });

    describe('rejected requests: a clear 4xx and the database unchanged', () => {
      const cases: Array<{ name: string; status: number; code: string; req: () => InjectOptions }> = [
        {
          name: 'no token',
          status: 401,
          code: 'unauthorized',
          req: () => ({
            method: 'POST',
            url: '/api/items',
            headers: { 'content-type': 'application/json' },
            payload: sampleItem(9),
          }),
        },
        {
          name: 'wrong token',
          status: 401,
          code: 'unauthorized',
          req: () => ({
            method: 'POST',
            url: '/api/items',
            headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
            payload: sampleItem(9),
          }),
        },
        {
          name: 'malformed JSON',
          status: 400,
          code: 'malformed_json',
          req: () => ({ method: 'POST', url: '/api/items', headers: json, payload: '{"title": "x",' }),
        },
        {
          name: 'JSON that is not an object',
          status: 400,
          code: 'invalid_input',
          req: () => ({ method: 'POST', url: '/api/items', headers: json, payload: '[1,2]' }),
        },
        {
          name: 'unknown field',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'POST',
            url: '/api/items',
            headers: json,
            payload: { ...sampleItem(9), colour: 'red' },
          }),
        },
        {
          name: 'wrong types',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'POST',
            url: '/api/items',
            headers: json,
            payload: { title: 42, url: true, tags: 'a' },
          }),
        },
        {
          name: 'oversize body',
          status: 413,
          code: 'body_too_large',
          req: () => ({
            method: 'POST',
            url: '/api/items',
            headers: json,
            payload: JSON.stringify({ ...sampleItem(9), body: 'x'.repeat(2 * 1024 * 1024) }),
          }),
        },
        {
          name: 'body over 100 kB',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'POST',
            url: '/api/items',
            headers: json,
            payload: { ...sampleItem(9), body: 'é'.repeat(60 * 1024) },
          }),
        },
        {
          name: 'invalid date',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'POST',
            url: `/api/items/${itemId}/publish`,
            headers: json,
            payload: { at: '2026-02-30T09:00' },
          }),
        },
        {
          name: 'date in a DST gap',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'POST',
            url: `/api/items/${itemId}/publish`,
            headers: json,
            payload: { at: '2099-03-29T02:30', timezone: 'Europe/Paris' },
          }),
        },
        {
          name: 'unknown time zone',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'POST',
            url: `/api/items/${itemId}/publish`,
            headers: json,
            payload: { at: '2099-03-29T12:30', timezone: 'Mars/Olympus' },
          }),
        },
        {
          name: 'date in the past',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'POST',
            url: `/api/items/${itemId}/publish`,
            headers: json,
            payload: { at: '2001-01-01T00:00:00Z' },
          }),
        },
        {
          name: 'unknown channel',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'POST',
            url: `/api/items/${itemId}/publish`,
            headers: json,
            payload: { channels: ['myspace'] },
          }),
        },
        {
          name: 'unknown publish option',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'POST',
            url: `/api/items/${itemId}/publish`,
            headers: json,
            payload: { when: 'now' },
          }),
        },
        {
          name: 'patch with a bad field',
          status: 400,
          code: 'invalid_input',
          req: () => ({
            method: 'PATCH',
            url: `/api/items/${itemId}`,
            headers: json,
            payload: { title: 'x'.repeat(301) },
          }),
        },
        {
          name: 'patch that is not an object',
          status: 400,
          code: 'invalid_input',
          req: () => ({ method: 'PATCH', url: `/api/items/${itemId}`, headers: json, payload: 'null' }),
        },
        {
          name: 'path traversal id',
          status: 404,
          code: 'not_found',
          req: () => ({ method: 'GET', url: '/api/items/..%2F..%2Fetc%2Fpasswd', headers: auth }),
        },
        {
          name: 'unknown item',
          status: 404,
          code: 'not_found',
          req: () => ({ method: 'POST', url: `/api/items/itm_${'f'.repeat(32)}/publish`, headers: auth }),
        },
        {
          name: 'wrong content type',
          status: 415,
          code: 'unsupported_media_type',
          req: () => ({
            method: 'POST',
            url: '/api/items',
            headers: { ...auth, 'content-type': 'text/plain' },
            payload: 'hello',
          }),
        },
      ];
      for (const c of cases) {
        it(`${c.name} -> ${c.status} ${c.code}`, async () => {
          const before = await snapshot(app);
          const res = await http.inject(c.req());
          expect(res.statusCode).toBe(c.status);
          expect(res.json().error.code).toBe(c.code);
          expect(res.json().error.message).toBeTruthy();
          expect(await snapshot(app)).toBe(before);
        });
      }

      it('names every bad field in one answer', async () => {
        const res = await http.inject({
          method: 'POST',
          url: '/api/items',
          headers: json,
          payload: {
            title: '',
            url: 'javascript:alert(1)',
            imageUrl: 'https://x.org/a.png',
            language: 'english',
            tags: Array(21).fill('a'),
          },
        });
        expect(res.json().error.fields).toEqual({
          title: 'is required',
          url: 'must be an absolute http(s) URL',
          imageAlt: 'is required when imageUrl is given (describe the image for people who cannot see it)',
          language: 'must be a BCP 47 language tag such as "en" or "fr-BE"',
          tags: 'must have at most 20 tags',
        });
      });
    });
  });
}
