import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, isStaffPermission, type Principal } from '../../../src/domain/permissions.js';
import { declareRoutes, onSurface, type DeclaredRoute } from '../../../src/http/route-access.js';
import { snapshot } from '../../helpers/corpus-payloads.js';
import { addUser, Client, startWebApp, TOKEN, type WebApp } from '../../helpers/web.js';
import { createAuthority } from '../../../src/app/members.js';
import { createItem } from '../../../src/app/items.js';
import { CSRF_HEADER } from '../../../src/http/pages/csrf.js';
import { sampleItem } from '../../helpers/app.js';

// Every route the server registered × every caller (anonymous, contributor, editor, admin, the API token) × spellings
// of its path. The answer expected comes from the permission table: a caller the table refuses gets the
// refusal on the plain path, and no spelling of the path lets them in (at most a 404 or 400 for a path
// that routes nowhere). A caller the table allows is not refused. Nothing answers 5xx, nothing changes.

type Caller = Principal | 'anonymous';
const CALLERS: Caller[] = ['anonymous', 'contributor', 'editor', 'admin', 'api'];
type Verdict = 'sign-in' | 'role' | 'csrf' | 'not-found' | 'bad-request' | `status ${number}`;

interface Answer {
  status: number;
  location: string;
  body: string;
}

const hex = (c: string) => c.charCodeAt(0).toString(16).toUpperCase();
const encodeFirstLetter = (segment: string, prefix = '%') =>
  segment.replace(/[a-z]/i, (c) => `${prefix}${hex(c)}`);

/** Ways to write the same path that a careless check would read differently from the router. */
export function spellings(path: string): Array<[name: string, path: string]> {
  const segments = path.split('/').slice(1);
  const [first, ...rest] = segments;
  const tail = rest.length > 0 ? `/${rest.join('/')}` : '';
  const all: Array<[string, string]> = [
    ['plain', path],
    ['percent-encoded letters', `/${segments.map((s) => encodeFirstLetter(s)).join('/')}`],
    ['%2F for a slash', rest.length > 0 ? `/${first}%2F${rest.join('/')}` : `${path}%2F`],
    ['double slashes', `/${segments.join('//')}`],
    ['leading double slash', `/${path}`],
    ['trailing slash', `${path}/`],
    ['./ segment', `/${first}/.${tail || '/'}`],
    ['x/../ segment', `/${first}/x/..${tail || '/'}`],
    [';params on each segment', `/${segments.map((s) => `${s};x=1`).join('/')}`],
    [';param at the end', `${path};jsessionid=1`],
    ['double encoding', `/${segments.map((s) => encodeFirstLetter(s, '%25')).join('/')}`],
    ['upper case', path.toUpperCase()],
    ['first letter upper case', path.replace(/[a-z]/, (c) => c.toUpperCase())],
  ];
  return all.filter(([, p], i) => all.findIndex(([, q]) => q === p) === i);
}

const FAKE_IDS: Record<string, string> = {
  items: 'itm',
  deliveries: 'dlv',
  newsletters: 'nl',
  contacts: 'ctc',
  members: 'aut',
  users: 'usr',
};

/** A concrete path: ids of the right shape that exist nowhere, so an allowed write changes nothing. */
function concrete(url: string): string {
  return url.replace(
    /\/([a-z-]+)\/:(\w+)|:(\w+)|\*/g,
    (match, segment: string | undefined, param: string | undefined, bare: string | undefined) => {
      if (segment)
        return `/${segment}/${FAKE_IDS[segment] ? `${FAKE_IDS[segment]}_${'0'.repeat(32)}` : param === 'queueName' ? 'channel' : 'x'}`;
      if (bare === 'queueName') return 'channel';
      return match === '*' ? 'x' : 'x';
    },
  );
}

function verdictOf(answer: Answer): Verdict {
  if (answer.status === 401 || (answer.status === 303 && answer.location.startsWith('/login')))
    return 'sign-in';
  if (answer.status === 403) {
    const page = answer.body.match(/data-reason="(\w+)"/)?.[1];
    const code = answer.body.match(/"code":"(\w+)"/)?.[1];
    const reason = page ?? code;
    if (reason === 'role' || reason === 'forbidden') return 'role';
    if (reason === 'csrf' || reason === 'csrf_token') return 'csrf';
  }
  if (answer.status === 404) return 'not-found';
  if (answer.status === 400) return 'bad-request';
  return `status ${answer.status}`;
}

describe('authorization matrix: every route × every caller × path spellings', () => {
  let web: WebApp;
  let base: { port: number; agent: Agent };
  const cookies: Partial<Record<Caller, string>> = {};
  let contributorCsrf = '';

  beforeAll(async () => {
    web = await startWebApp('sqlite');
    await addUser(web.app, 'admin@example.org', 'admin');
    await addUser(web.app, 'ed@example.org', 'editor');
    const member = await createAuthority(web.app.ctx.store, { name: 'Lyon', country: 'FR' }, 'test');
    await addUser(web.app, 'co@example.org', 'contributor', undefined, member.id);
    const emails = { admin: 'admin@example.org', editor: 'ed@example.org', contributor: 'co@example.org' };
    for (const [n, role] of (['admin', 'editor', 'contributor'] as const).entries()) {
      const client = new Client(web.http, `10.1.0.${n + 1}`);
      expect((await client.signIn(emails[role])).statusCode).toBe(303);
      cookies[role] = client.cookieHeader();
      if (role === 'contributor') contributorCsrf = await client.csrf();
    }
    await web.http.listen({ port: 0, host: '127.0.0.1' });
    base = {
      port: (web.http.server.address() as AddressInfo).port,
      agent: new Agent({ keepAlive: true, maxSockets: 8 }),
    };
  });
  afterAll(async () => {
    base?.agent.destroy();
    await web?.close();
  });

  function headersFor(caller: Caller, route: DeclaredRoute): Record<string, string> {
    const type = route.surface === 'api' ? 'application/json' : 'application/x-www-form-urlencoded';
    const body: Record<string, string> = ['GET', 'HEAD', 'DELETE'].includes(route.method)
      ? {}
      : { 'content-type': type };
    if (caller === 'api') return { ...body, authorization: `Bearer ${TOKEN}` };
    if (caller === 'anonymous') return body;
    return { ...body, cookie: cookies[caller]! };
  }

  /** fastify.inject parses the URL (dot segments and a leading // would be normalised first): those go over a socket. */
  async function send(
    method: string,
    path: string,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<Answer> {
    const parsed = path.startsWith('//') ? null : new URL(path, 'http://localhost');
    if (parsed && parsed.pathname + parsed.search === path) {
      const res = await web.http.inject({
        method: method as 'GET',
        url: path,
        headers,
        ...(payload !== undefined ? { payload } : {}),
        remoteAddress: '10.1.0.9',
      });
      return { status: res.statusCode, location: String(res.headers.location ?? ''), body: res.body };
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: base.port, method, path, headers, agent: base.agent },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? ''), body }),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * What the table says this caller gets on this route: let in, or refused with sign-in or role. A route's
   * `ownItems` permission lets a contributor in too (to their own items: the made-up ids here are nobody's).
   */
  function expected(caller: Caller, route: DeclaredRoute): 'allowed' | 'sign-in' | 'role' {
    if (!isStaffPermission(route.permission)) return 'allowed';
    if (caller === 'anonymous') return 'sign-in';
    if (caller === 'api' && route.surface !== 'api') return 'sign-in'; // the API token opens the JSON API only
    if (route.ownItems && caller !== 'api' && can(caller, route.ownItems)) return 'allowed';
    return can(caller, route.permission) ? 'allowed' : 'role';
  }

  it('answers every route as the permission table says, however the path is written', async () => {
    const routes = web.http.declaredRoutes;
    expect(routes.length).toBeGreaterThan(100);
    const db = web.app.ctx.store.db;
    await web.http.inject({ method: 'GET', url: '/feed.xml' }); // the first request builds the feeds
    const before = await snapshot(db, undefined, { staff_sessions: ['lastSeenAt'] });
    const problems: string[] = [];
    let tried = 0;
    for (const route of routes) {
      const path = concrete(route.url);
      const payload = ['GET', 'HEAD', 'DELETE'].includes(route.method)
        ? undefined
        : route.surface === 'api'
          ? '{}'
          : '';
      for (const caller of CALLERS) {
        const want = expected(caller, route);
        const answers = await Promise.all(
          spellings(path).map(async ([name, spelled]) => ({
            name,
            spelled,
            answer: await send(route.method, spelled, headersFor(caller, route), payload),
          })),
        );
        tried += answers.length;
        for (const { name, spelled, answer } of answers) {
          const verdict = verdictOf(answer);
          const what = `${caller} ${route.method} ${spelled} (${route.url}, ${route.permission}, ${name}) -> ${answer.status} ${verdict}`;
          if (answer.status >= 500) problems.push(`${what}: server error`);
          else if (want !== 'allowed' && name === 'plain' && verdict !== want)
            problems.push(`${what}: expected ${want}`);
          else if (want !== 'allowed' && ![want, 'not-found', 'bad-request'].includes(verdict))
            problems.push(`${what}: let in`);
          else if (
            want === 'allowed' &&
            isStaffPermission(route.permission) &&
            name === 'plain' &&
            (verdict === 'sign-in' || verdict === 'role')
          )
            problems.push(`${what}: refused`);
        }
      }
    }
    console.log(
      `[authorization] ${tried} requests over ${routes.length} routes and ${CALLERS.length} callers; ${problems.length} problems`,
    );
    expect(problems).toEqual([]);
    // The only trace: contact exports (a read the audit log records) by the callers allowed to make them.
    const exports = await db
      .deleteFrom('auditLog')
      .where('action', '=', 'contacts_exported')
      .returning('actor')
      .execute();
    expect(new Set(exports.map((e) => e.actor))).toEqual(new Set(['admin@example.org', 'api']));
    expect(await snapshot(db, undefined, { staff_sessions: ['lastSeenAt'] })).toBe(before);
  }, 180_000);

  it("a contributor reaches no other person's item, through any route or spelling of its path", async () => {
    const store = web.app.ctx.store;
    const otherMember = await createAuthority(store, { name: 'Porto', country: 'PT' }, 'test');
    await addUser(web.app, 'other@example.org', 'contributor', undefined, otherMember.id);
    const items = [
      await createItem(store, sampleItem(1), 'ed@example.org'),
      await createItem(store, sampleItem(2), 'other@example.org'),
      await createItem(store, sampleItem(3), 'api'),
    ];
    const db = store.db;
    const before = await snapshot(db, undefined, { staff_sessions: ['lastSeenAt'] });
    const problems: string[] = [];
    const routes = web.http.declaredRoutes.filter(
      (r) => isStaffPermission(r.permission) && r.url.includes('/items/:id'),
    );
    expect(routes.filter((r) => r.ownItems).map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'GET /api/items/:id',
        'PATCH /api/items/:id',
        'POST /api/items/:id/preview',
        'POST /api/items/:id/submit',
      ]),
    );
    for (const route of routes)
      for (const item of items) {
        const path = concrete(route.url.replace('/items/:id', `/items/${item.id}`));
        const payload = ['GET', 'DELETE'].includes(route.method)
          ? undefined
          : route.surface === 'api'
            ? '{}'
            : '';
        for (const [name, spelled] of spellings(path)) {
          // With the session's CSRF token, so that a write reaches the ownership check.
          const headers = { ...headersFor('contributor', route), [CSRF_HEADER]: contributorCsrf };
          const answer = await send(route.method, spelled, headers, payload);
          const verdict = verdictOf(answer);
          const want = route.ownItems ? 'not-found' : 'role';
          const what = `contributor ${route.method} ${spelled} (${name}) -> ${answer.status} ${verdict}`;
          if (name === 'plain' && verdict !== want) problems.push(`${what}: expected ${want}`);
          else if (!['not-found', 'role', 'bad-request'].includes(verdict)) problems.push(`${what}: let in`);
        }
      }
    expect(problems).toEqual([]);
    expect(await snapshot(db, undefined, { staff_sessions: ['lastSeenAt'] })).toBe(before);
  }, 120_000);

  it('the attacks found on main are refused: an editor reading or writing contacts through encoded paths', async () => {
    const editor = cookies.editor!;
    for (const [method, url] of [
      ['GET', '/api/%63ontacts/export'],
      ['GET', '/api/%6Dembers'],
      ['GET', '/api/%63hannels'],
      ['GET', '/api/%73ources'],
      ['PATCH', `/api/%63ontacts/ctc_${'0'.repeat(32)}`],
    ] as const) {
      const answer = await send(
        method,
        url,
        { cookie: editor, ...(method === 'PATCH' ? { 'content-type': 'application/json' } : {}) },
        method === 'PATCH' ? '{}' : undefined,
      );
      expect({ url, status: answer.status, verdict: verdictOf(answer) }).toEqual({
        url,
        status: 403,
        verdict: 'role',
      });
    }
  });
});

describe('route declarations', () => {
  it('a route without a permission stops the server from starting, naming the route', async () => {
    const app = Fastify();
    declareRoutes(app);
    app.get('/declared', { config: { permission: 'public' } }, async () => 'ok');
    app.get('/forgotten', async () => 'oops');
    await expect(app.ready()).rejects.toThrow(/GET \/forgotten declares no permission/);
  });

  it('a staff permission outside a surface, or a made-up one, is refused too', async () => {
    const app = Fastify();
    declareRoutes(app);
    app.get('/nowhere', { config: { permission: 'items:read' } }, async () => 'x');
    await app.register(async (api) => {
      onSurface(api, 'api');
      api.get(
        '/api/made-up',
        { config: { permission: 'items:everything' as 'items:read' } },
        async () => 'x',
      );
      api.get('/api/fine', { config: { permission: 'items:read' } }, async () => 'x');
    });
    const error = await app.ready().then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/GET \/nowhere needs a surface/);
    expect(error?.message).toMatch(/GET \/api\/made-up declares no permission/);
    expect(error?.message).not.toMatch(/\/api\/fine/);
  });
});
