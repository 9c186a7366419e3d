import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { startTestApp, sampleItem, type TestApp } from '../helpers/app.js';
import { buildServer } from '../../src/http/server.js';

// Bad input thrown at every route the OpenAPI document lists: each must get a 4xx (never a 500),
// and a rejected request must leave the database exactly as it was.
const TOKEN = 'test-token-0123456789abcdef';

const IDS = ['..%2F..%2Fetc%2Fpasswd', '%00', "1' OR '1'='1", 'itm_' + 'z'.repeat(32), '{{constructor}}', '%F0%9F%92%A9', 'a'.repeat(500)];
const BODIES: Array<[string, string]> = [
  ['malformed JSON', '{"title": '],
  ['JSON array', '[1,2,3]'],
  ['JSON null', 'null'],
  ['JSON string', '"hello"'],
  ['wrong types', JSON.stringify({ title: 1, url: [], tags: { a: 1 }, at: 5, channels: 'x', kind: 7, itemIds: 'x', to: 1 })],
  ['SQL injection', JSON.stringify({ title: "x'); DROP TABLE items; --", url: "https://x.org/'--", at: "2026-01-01'; --", to: "a@b.c'--" })],
  ['template injection', JSON.stringify({ title: '{{#with constructor}}{{lookup . "constructor"}}{{/with}}', summary: '${process.exit(1)}', url: 'https://x.org' })],
  ['prototype pollution', '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}'],
  ['unicode edge cases', JSON.stringify({ title: '\u202e\u0000\uffff\ud800 lone', url: 'https://xn--\u00e9.org', language: 'zz-\u00e9' })],
  ['SSRF URLs', JSON.stringify({ title: 'x', url: 'http://169.254.169.254/latest/meta-data/', imageUrl: 'http://[::1]/x.png', imageAlt: 'x', to: 'root@10.0.0.1' })],
  ['deeply nested', '{"a":'.repeat(2000) + '1' + '}'.repeat(2000)],
  ['huge string field', JSON.stringify({ title: 'x'.repeat(400_000), url: 'https://x.org' })],
];

async function snapshot(app: TestApp): Promise<string> {
  const db = app.ctx.store.db;
  const tables = ['items', 'itemRevisions', 'deliveries', 'auditLog', 'channelAccounts'] as const;
  const rows = await Promise.all(tables.map((t) => db.selectFrom(t).selectAll().execute()));
  return JSON.stringify(rows.map((r) => r.map((row) => JSON.stringify(row)).sort()));
}

describe('bad-input corpus over every documented route', () => {
  let app: TestApp;
  let http: FastifyInstance;
  let routes: Array<{ method: string; path: string }>;
  let itemId: string;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    http = await buildServer(app.ctx, { apiToken: TOKEN });
    const created = await http.inject({ method: 'POST', url: '/api/items', headers: { authorization: `Bearer ${TOKEN}` }, payload: sampleItem(1) });
    itemId = created.json().id;
    const doc = (await http.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'patch', 'put', 'delete'].includes(m)).map((method) => ({ method: method.toUpperCase(), path })));
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
      const paths = route.path.includes('{') ? IDS.map((id) => route.path.replace(/\{[^}]+\}/g, id)) : [route.path];
      if (route.path.includes('{')) paths.push(route.path.replace(/\{[^}]+\}/g, itemId));
      for (const url of paths) {
        const requests: InjectOptions[] =
          route.method === 'GET' || route.method === 'DELETE'
            ? [{ method: route.method, url: `${url}?status=%00&limit=-1&offset=abc&contact=../../x&search=%27%20OR%201=1` }]
            : BODIES.map(([, payload]) => ({ method: route.method as InjectOptions['method'], url, payload, headers: { 'content-type': 'application/json' } }));
        for (const request of requests) {
          request.headers = { ...request.headers, authorization: `Bearer ${TOKEN}` };
          const before = await snapshot(app);
          const res = await http.inject(request);
          tried++;
          if (res.statusCode >= 500) problems.push(`${request.method} ${request.url} -> ${res.statusCode} ${res.body.slice(0, 120)}`);
          if (res.statusCode >= 400 && (await snapshot(app)) !== before) problems.push(`${request.method} ${request.url} -> ${res.statusCode} changed the database`);
        }
      }
    }
    console.log(`[corpus] ${tried} bad requests over ${routes.length} routes; ${problems.length} problems`);
    expect(problems).toEqual([]);
  }, 120_000);
});
