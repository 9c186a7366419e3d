import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { startTestApp, sampleItem, type TestApp } from '../helpers/app.js';
import { buildServer } from '../../src/http/server.js';
import { API_TABLES, BODIES, IDS, snapshot } from '../helpers/corpus-payloads.js';

// Bad input thrown at every route the OpenAPI document lists: each must get a 4xx (never a 500),
// and a rejected request must leave the database exactly as it was.
const TOKEN = 'test-token-0123456789abcdef';

describe('bad-input corpus over every documented route', () => {
  let app: TestApp;
  let http: FastifyInstance;
  let routes: Array<{ method: string; path: string }>;
  let itemId: string;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    http = await buildServer(app.ctx, { apiToken: TOKEN });
    const created = await http.inject({
      method: 'POST',
      url: '/api/items',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: sampleItem(1),
    });
    itemId = created.json().id;
    const doc = (await http.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'patch', 'put', 'delete'].includes(m))
        .map((method) => ({ method: method.toUpperCase(), path })),
    );
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  it('never answers 5xx and never changes the database on a rejection', async () => {
    expect(routes.length).toBeGreaterThan(15);
    const problems: string[] = [];
    let tried = 0;
    for (const route of routes) {
      const paths = route.path.includes('{')
        ? IDS.map((id) => route.path.replace(/\{[^}]+\}/g, id))
        : [route.path];
      if (route.path.includes('{')) paths.push(route.path.replace(/\{[^}]+\}/g, itemId));
      for (const url of paths) {
        const requests: InjectOptions[] =
          route.method === 'GET' || route.method === 'DELETE'
            ? [
                {
                  method: route.method,
                  url: `${url}?status=%00&limit=-1&offset=abc&contact=../../x&search=%27%20OR%201=1`,
                },
              ]
            : BODIES.map(([, payload]) => ({
                method: route.method as InjectOptions['method'],
                url,
                payload,
                headers: { 'content-type': 'application/json' },
              }));
        for (const request of requests) {
          request.headers = { ...request.headers, authorization: `Bearer ${TOKEN}` };
          const before = await snapshot(app.ctx.store.db, API_TABLES);
          const res = await http.inject(request);
          tried++;
          if (res.statusCode >= 500)
            problems.push(`${request.method} ${request.url} -> ${res.statusCode} ${res.body.slice(0, 120)}`);
          if (res.statusCode >= 400 && (await snapshot(app.ctx.store.db, API_TABLES)) !== before)
            problems.push(`${request.method} ${request.url} -> ${res.statusCode} changed the database`);
        }
      }
    }
    console.log(`[corpus] ${tried} bad requests over ${routes.length} routes; ${problems.length} problems`);
    expect(problems).toEqual([]);
  }, 120_000);
});
