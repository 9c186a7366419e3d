// While Redis cannot be reached, actions carried out by the queue are refused with 503 before anything is
// written; drafts can still be edited and a scheduled publication can still be cancelled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { waitReady } from '../../../src/redis/connection.js';
import { buildServer } from '../../../src/http/server.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('the API while Redis is unreachable', () => {
  let app: TestApp;
  let http: FastifyInstance;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    http = await buildServer(app.ctx, { apiToken: TOKEN });
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  const snapshot = async (id: string) =>
    JSON.stringify([
      await app.ctx.store.db.selectFrom('items').selectAll().where('id', '=', id).execute(),
      await app.ctx.store.db.selectFrom('deliveries').selectAll().where('itemId', '=', id).execute(),
    ]);

  it('refuses publishing with 503 and Retry-After, changes nothing, and accepts it again once Redis is back', async () => {
    const created = await http.inject({
      method: 'POST',
      url: '/api/items',
      headers: auth,
      payload: sampleItem(1),
    });
    const id = created.json().id as string;
    const scheduled = await http.inject({
      method: 'POST',
      url: '/api/items',
      headers: auth,
      payload: sampleItem(2),
    });
    const laterId = scheduled.json().id as string;
    await http.inject({
      method: 'POST',
      url: `/api/items/${laterId}/publish`,
      headers: auth,
      payload: { at: new Date(Date.now() + 3_600_000).toISOString() },
    });

    app.ctx.queues.connection.disconnect();
    await waitFor(async () => app.ctx.queues.connection.status === 'end', 5_000, 'the connection closed');
    try {
      const before = await snapshot(id);
      const refused = await http.inject({
        method: 'POST',
        url: `/api/items/${id}/publish`,
        headers: auth,
        payload: {},
      });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.json().error).toMatchObject({
        code: 'unavailable',
        message: expect.stringContaining('nothing was changed'),
      });
      expect(await snapshot(id)).toBe(before);

      const health = await http.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      const edited = await http.inject({
        method: 'PATCH',
        url: `/api/items/${id}`,
        headers: auth,
        payload: { title: 'Edited while Redis is away' },
      });
      expect(edited.statusCode).toBe(200);
      const cancelled = await http.inject({
        method: 'POST',
        url: `/api/items/${laterId}/cancel`,
        headers: auth,
      });
      expect(cancelled.statusCode).toBe(200);
    } finally {
      const connection = app.ctx.queues.connection;
      await connection.connect();
      await waitReady(connection);
    }
    const accepted = await http.inject({
      method: 'POST',
      url: `/api/items/${id}/publish`,
      headers: auth,
      payload: {},
    });
    expect(accepted.statusCode).toBe(202);
  });
});
