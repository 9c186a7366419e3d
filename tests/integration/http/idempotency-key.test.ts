import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem } from '../../helpers/app.js';
import { addUser, Client, startWebApp, TOKEN, type WebApp } from '../../helpers/web.js';
import { claimRequestKey, purgeExpiredRequestKeys } from '../../../src/store/request-keys.js';

const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`Idempotency-Key on the API (${dialect})`, () => {
    let web: WebApp;
    let n = 0;
    const countItems = async () =>
      (await web.app.ctx.store.db.selectFrom('items').select('id').execute()).length;
    const post = (url: string, body: unknown, key?: string, headers: Record<string, string> = json) =>
      web.http.inject({
        method: 'POST',
        url,
        headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) },
        payload: JSON.stringify(body),
      } as InjectOptions);

    beforeAll(async () => {
      web = await startWebApp(dialect);
      await addUser(web.app, 'editor@example.org', 'editor');
    });
    afterAll(async () => web?.close());

    it('replays the first answer to the same key with the same body, and creates nothing more', async () => {
      const body = sampleItem(++n);
      const before = await countItems();
      const first = await post('/api/items', body, `"key-${n}"`);
      expect(first.statusCode).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      for (let i = 0; i < 3; i++) {
        const again = await post('/api/items', body, `"key-${n}"`);
        expect(again.statusCode).toBe(201);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.headers.location).toBe(first.headers.location);
        expect(again.json()).toEqual(first.json());
      }
      expect(await countItems()).toBe(before + 1);
    });

    it('publishes once for one key, however often the call is repeated', async () => {
      const item = (await post('/api/items', sampleItem(++n))).json() as { id: string };
      const first = await post(`/api/items/${item.id}/publish`, {}, `publish-${item.id}`);
      const again = await post(`/api/items/${item.id}/publish`, {}, `publish-${item.id}`);
      expect(first.statusCode).toBe(202);
      expect(again.statusCode).toBe(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      const history = await web.app.ctx.store.db
        .selectFrom('auditLog')
        .select('action')
        .where('subjectId', '=', item.id)
        .execute();
      expect(history.map((h) => h.action).sort()).toEqual(['created', 'published']);
    });

    it('refuses the same key with another body (422) and creates nothing', async () => {
      const key = `other-body-${++n}`;
      expect((await post('/api/items', sampleItem(n), key)).statusCode).toBe(201);
      const before = await countItems();
      const other = await post('/api/items', sampleItem(n, { title: 'Another title altogether' }), key);
      expect(other.statusCode).toBe(422);
      expect(other.json().error.code).toBe('idempotency_key_reused');
      expect(await countItems()).toBe(before);
    });

    it('answers 409 while the first request with the key still runs', async () => {
      const key = `running-${++n}`;
      const body = sampleItem(n);
      // The first request has claimed the key and not answered yet: claim it as its handler would.
      const probe = await web.http.inject({
        method: 'POST',
        url: '/api/items',
        headers: { ...json, 'idempotency-key': 'fingerprint-probe' },
        payload: JSON.stringify(body),
      });
      expect(probe.statusCode).toBe(201);
      const fingerprint = await fingerprintOf(web);
      expect(await claimRequestKey(web.app.ctx.store.db, { scope: 'api:api', key, fingerprint })).toEqual({
        kind: 'claimed',
      });
      const before = await countItems();
      const concurrent = await post('/api/items', body, key);
      expect(concurrent.statusCode).toBe(409);
      expect(concurrent.json().error.code).toBe('idempotency_key_in_progress');
      expect(await countItems()).toBe(before);
    });

    it('lets exactly one of many simultaneous requests with one key create the item', async () => {
      const key = `simultaneous-${++n}`;
      const body = sampleItem(n);
      const before = await countItems();
      const answers = await Promise.all(Array.from({ length: 8 }, () => post('/api/items', body, key)));
      const fresh = answers.filter(
        (a) => a.statusCode === 201 && a.headers['idempotent-replayed'] === undefined,
      );
      expect(fresh).toHaveLength(1);
      for (const a of answers) expect([201, 409]).toContain(a.statusCode);
      expect(await countItems()).toBe(before + 1);
    });

    it('keeps keys apart per caller: the same key from a staff session is a new request', async () => {
      const key = `shared-${++n}`;
      const body = sampleItem(n);
      const before = await countItems();
      expect((await post('/api/items', body, key)).statusCode).toBe(201);
      const editor = new Client(web.http);
      await editor.signIn('editor@example.org');
      const csrf = await editor.csrf();
      const fromEditor = await editor.request({
        method: 'POST',
        url: '/api/items',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, 'idempotency-key': key },
        payload: JSON.stringify(body),
      });
      expect(fromEditor.statusCode).toBe(201);
      expect(fromEditor.headers['idempotent-replayed']).toBeUndefined();
      expect(await countItems()).toBe(before + 2);
    });

    it('answers 400 naming the header for a malformed key, and runs nothing', async () => {
      const before = await countItems();
      for (const bad of ['', 'a b', 'x'.repeat(256), '"unterminated\u00e9"']) {
        const res = await post('/api/items', sampleItem(++n), undefined, { ...json, 'idempotency-key': bad });
        expect(res.statusCode, JSON.stringify(bad)).toBe(400);
        expect(Object.keys(res.json().error.fields)).toEqual(['Idempotency-Key']);
      }
      expect(await countItems()).toBe(before);
    });

    it('forgets a key after its time: it then runs again, and the sweep removes expired keys', async () => {
      const key = `expired-${++n}`;
      const body = sampleItem(n);
      expect((await post('/api/items', body, key)).statusCode).toBe(201);
      const db = web.app.ctx.store.db;
      await db
        .updateTable('requestKeys')
        .set({ expiresAt: '2000-01-01T00:00:00.000Z' })
        .where('key', '=', key)
        .execute();
      const before = await countItems();
      const again = await post('/api/items', body, key);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(await countItems()).toBe(before + 1);
      await db
        .updateTable('requestKeys')
        .set({ expiresAt: '2000-01-01T00:00:00.000Z' })
        .where('key', '=', key)
        .execute();
      expect(await purgeExpiredRequestKeys(db)).toBeGreaterThanOrEqual(1);
      expect(await db.selectFrom('requestKeys').select('key').where('key', '=', key).execute()).toEqual([]);
    });

    it('does not apply to requests without a key: each one acts', async () => {
      const body = sampleItem(++n);
      const before = await countItems();
      expect((await post('/api/items', body)).statusCode).toBe(201);
      expect((await post('/api/items', body)).statusCode).toBe(201);
      expect(await countItems()).toBe(before + 2);
    });
  });
}

/** The fingerprint the server computes for a POST /api/items with this body (read back from the stored key). */
async function fingerprintOf(web: WebApp): Promise<string> {
  const row = await web.app.ctx.store.db
    .selectFrom('requestKeys')
    .select('fingerprint')
    .where('key', '=', 'fingerprint-probe')
    .executeTakeFirstOrThrow();
  return row.fingerprint;
}

describe('Idempotency-Key in the OpenAPI document', () => {
  it('is offered on every POST of the API, not on the signed webhook or the public links', async () => {
    const { openApiDocument } = await import('../../../src/http/openapi.js');
    const paths = openApiDocument('http://herald.test').paths as Record<
      string,
      { post?: { parameters?: Array<{ name: string }> } }
    >;
    const posts = Object.entries(paths).filter(([, ops]) => ops.post);
    expect(posts.length).toBeGreaterThan(5);
    for (const [path, ops] of posts) {
      const named = (ops.post!.parameters ?? []).map((p) => p.name);
      if (path.startsWith('/api/hooks/') || !path.startsWith('/api/'))
        expect(named, path).not.toContain('Idempotency-Key');
      else expect(named, path).toContain('Idempotency-Key');
    }
    expect(JSON.stringify(openApiDocument('http://herald.test'))).toBe(
      JSON.stringify(openApiDocument('http://herald.test')),
    );
  });
});
