import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { signWebhook } from '../../../src/ingest/webhook-signature.js';
import { buildServer } from '../../../src/http/server.js';
import { sampleItem, startTestApp, type TestApp } from '../../helpers/app.js';

// Items whose url or imageUrl is an internal address are refused where they come in (API, drafts preview,
// CMS webhook) unless the installation allows private addresses (allowPrivateUrls). Host names pass here:
// what they resolve to is checked when Herald fetches the image (tests/integration/social/image-ssrf.test.ts).

const TOKEN = 'test-token-0123456789abcdef';
const SECRET = `whsec_${Buffer.from('a-long-shared-webhook-secret-0123').toString('base64')}`;
const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function serve(allowPrivateUrls: boolean): Promise<{ app: TestApp; http: FastifyInstance }> {
  const app = await startTestApp('sqlite', { allowPrivateUrls, feed: { webhookSecret: SECRET } });
  return { app, http: await buildServer(app.ctx, { apiToken: TOKEN }) };
}

const countItems = async (app: TestApp) =>
  Number(
    (
      await app.ctx.store.db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('private addresses refused at the boundary (allowPrivateUrls off)', () => {
  let app: TestApp;
  let http: FastifyInstance;
  beforeAll(async () => ({ app, http } = await serve(false)));
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  it('POST /api/items: 400 naming each field, nothing stored', async () => {
    const res = await http.inject({
      method: 'POST',
      url: '/api/items',
      headers: json,
      payload: sampleItem(1, { url: 'http://10.0.0.1/admin', imageUrl: 'http://[::1]/x.png', imageAlt: 'x' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual({
      url: 'must be a public address; 10.0.0.1 is private',
      imageUrl: 'must be a public address; ::1 is loopback',
    });
    expect(await countItems(app)).toBe(0);
  });

  it('PATCH /api/items/:id: 400, the item unchanged', async () => {
    const created = await http.inject({
      method: 'POST',
      url: '/api/items',
      headers: json,
      payload: sampleItem(2),
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const res = await http.inject({
      method: 'PATCH',
      url: `/api/items/${id}`,
      headers: json,
      payload: { imageUrl: 'http://169.254.169.254/latest/meta-data/', imageAlt: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual({
      imageUrl: 'must be a public address; 169.254.169.254 is link-local',
    });
    const stored = await http.inject({ method: 'GET', url: `/api/items/${id}`, headers: json });
    expect(stored.json()).toMatchObject({ imageUrl: null, revision: 1 });
  });

  it('the drafts preview shows the problem next to the field', async () => {
    const res = await http.inject({
      method: 'POST',
      url: '/api/drafts/preview',
      headers: json,
      payload: { fields: sampleItem(3, { url: 'http://2130706433/' }) },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      valid: false,
      fields: { url: 'must be a public address; 127.0.0.1 is loopback' },
    });
  });

  it('the CMS webhook: 400, nothing created', async () => {
    const before = await countItems(app);
    const body = JSON.stringify({
      ...sampleItem(4, { imageUrl: 'http://localhost:6379/', imageAlt: 'x' }),
      externalId: 'cms-ssrf',
    });
    const res = await http.inject({
      method: 'POST',
      url: '/api/hooks/publish',
      payload: body,
      headers: { 'content-type': 'application/json', ...signWebhook(SECRET, 'msg_ssrf', body) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual({ imageUrl: 'must be a public address; localhost is loopback' });
    expect(await countItems(app)).toBe(before);
  });

  it('host names are accepted (they are checked when fetched)', async () => {
    const res = await http.inject({
      method: 'POST',
      url: '/api/items',
      headers: json,
      payload: sampleItem(5, { imageUrl: 'http://127.0.0.1.nip.io/x.png', imageAlt: 'x' }),
    });
    expect(res.statusCode).toBe(201);
  });
});

describe('private addresses accepted when the installation allows them', () => {
  let app: TestApp;
  let http: FastifyInstance;
  beforeAll(async () => ({ app, http } = await serve(true)));
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  it('POST /api/items: 201', async () => {
    const res = await http.inject({
      method: 'POST',
      url: '/api/items',
      headers: json,
      payload: sampleItem(1, {
        url: 'http://10.0.0.1/news',
        imageUrl: 'http://127.0.0.1:9/x.png',
        imageAlt: 'x',
      }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ url: 'http://10.0.0.1/news', imageUrl: 'http://127.0.0.1:9/x.png' });
  });
});
