import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../../../helpers/databases.js';
import { sampleItem } from '../../../helpers/app.js';
import { addUser, Client, startWebApp, TOKEN, type WebApp } from '../../../helpers/web.js';
import { can, isStaffPermission } from '../../../../src/domain/permissions.js';
import type { DeclaredRoute } from '../../../../src/http/route-access.js';
import { concrete, seedPageRows, staffPages, type PageIds } from '../../../helpers/staff-pages.js';

const editorMay = (r: DeclaredRoute) => isStaffPermission(r.permission) && can('editor', r.permission);

/** What the pages answer when they refuse: the reason is in the error page (or the JSON error). */
function refusal(res: LightMyRequestResponse): string {
  const page = res.body.match(/data-reason="(\w+)"/);
  if (page) return page[1]!;
  try {
    return (res.json() as { error: { code: string } }).error.code;
  } catch {
    return `status ${res.statusCode}`;
  }
}

async function rowCounts(web: WebApp) {
  const db = web.app.ctx.store.db;
  const count = async (table: 'items' | 'auditLog' | 'staffUsers' | 'deliveries') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    items: await count('items'),
    audit: await count('auditLog'),
    users: await count('staffUsers'),
    deliveries: await count('deliveries'),
  };
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`roles and CSRF (${dialect})`, () => {
    let web: WebApp;
    let admin: Client;
    let editor: Client;
    let ids: PageIds;

    beforeAll(async () => {
      web = await startWebApp(dialect);
      await addUser(web.app, 'admin@example.org', 'admin');
      const editorId = (await addUser(web.app, 'ed@example.org', 'editor')).id;
      ids = await seedPageRows(web, editorId);
      admin = new Client(web.http, '10.0.0.1');
      editor = new Client(web.http, '10.0.0.2');
      expect((await admin.signIn('admin@example.org')).statusCode).toBe(303);
      expect((await editor.signIn('ed@example.org')).statusCode).toBe(303);
    });
    afterAll(async () => web?.close());

    it('knows its routes: every page route declares a permission, and the admin ones include users, channels and queues', () => {
      const admins = staffPages(web.http.declaredRoutes)
        .filter((r) => !editorMay(r))
        .map((r) => `${r.method} ${r.url}`);
      expect(admins).toEqual(
        expect.arrayContaining([
          'GET /channels',
          'POST /channels/check',
          'GET /users',
          'POST /users',
          'POST /users/:id',
          'POST /users/:id/password',
          'GET /admin/queues',
          'GET /members',
          'POST /members/import',
          'GET /members/export',
          'POST /members/contacts/:id',
        ]),
      );
      expect(admins.filter((r) => r.includes('/admin/queues/api/')).length).toBeGreaterThan(10);
    });

    it('every admin route refuses an editor (403), whatever the method, and changes nothing', async () => {
      const before = await rowCounts(web);
      const csrf = await editor.csrf();
      const routes = staffPages(web.http.declaredRoutes).filter((r) => !editorMay(r));
      for (const route of routes) {
        const url = concrete(route.url, ids);
        const headers = {
          'x-csrf-token': csrf,
          origin: 'http://localhost:80',
          'sec-fetch-site': 'same-origin',
        };
        const res =
          route.method === 'GET'
            ? await editor.get(url)
            : await editor.request({
                method: route.method as 'POST',
                url,
                headers,
                payload: route.url.startsWith('/admin') ? {} : undefined,
              });
        expect({ route: `${route.method} ${route.url}`, status: res.statusCode }).toEqual({
          route: `${route.method} ${route.url}`,
          status: 403,
        });
        expect(refusal(res)).toBe('role');
      }
      expect(await rowCounts(web)).toEqual(before);
    });

    it('admin pages open for an admin; anonymous visitors are sent to sign in', async () => {
      for (const url of ['/channels', '/users', '/members', '/admin/queues', '/admin/queues/api/queues']) {
        expect({ url, status: (await admin.get(url)).statusCode }).toEqual({ url, status: 200 });
        const anonymous = await new Client(web.http).get(url);
        expect({ url, status: anonymous.statusCode, location: anonymous.headers.location }).toEqual({
          url,
          status: 303,
          location: `/login?next=${encodeURIComponent(url)}`,
        });
      }
    });

    it('the queue board asks no third party for fonts (its CSP would refuse them)', async () => {
      const board = await admin.get('/admin/queues');
      expect(board.headers['content-type']).toMatch(/^text\/html/);
      expect(board.body).toContain('static/css/');
      expect(board.body).not.toMatch(/googleapis|gstatic/);
    });

    it('pages render for both roles, with the admin links only for admins', async () => {
      const gets = staffPages(web.http.declaredRoutes)
        .filter((r) => r.method === 'GET' && editorMay(r))
        .map((r) => concrete(r.url, ids));
      expect(gets).toEqual(
        expect.arrayContaining([
          '/',
          '/items',
          '/items/new',
          `/items/${ids.item}`,
          `/items/${ids.item}/edit`,
          '/account',
          '/dashboard/live',
          '/newsletters',
          `/newsletters/${ids.newsletter}`,
        ]),
      );
      for (const [who, client] of [
        ['editor', editor],
        ['admin', admin],
      ] as const) {
        for (const url of gets) {
          const res = await client.get(url);
          // The newsletter preview refuses an http public address (RFC 8058 needs https): a plain 422 in its frame.
          const expected = url.endsWith('/preview') ? 422 : 200;
          expect({ who, url, status: res.statusCode }).toEqual({ who, url, status: expected });
          if (expected === 200) expect(res.headers['content-type']).toMatch(/^text\/html/);
        }
        const nav = (await client.get('/')).body;
        expect(nav.includes('href="/users"')).toBe(who === 'admin');
        expect(nav.includes('href="/admin/queues"')).toBe(who === 'admin');
        expect(nav.includes('href="/members"')).toBe(who === 'admin');
        expect(nav.includes('href="/newsletters"')).toBe(true);
      }
    });

    it('every form post without a CSRF token, or with a wrong one, is refused with 403 and changes nothing', async () => {
      const before = await rowCounts(web);
      const posts = staffPages(web.http.declaredRoutes).filter(
        (r) => r.method === 'POST' && !r.url.startsWith('/admin/'),
      );
      expect(posts.length).toBeGreaterThan(10);
      const form = {
        title: 'Sneaky',
        url: 'https://evil.example/',
        email: 'x@evil.example',
        role: 'admin',
        password: 'long enough password',
        disabled: 'true',
      };
      for (const route of posts) {
        const url = concrete(route.url, ids);
        for (const token of [undefined, 'forged-token-value']) {
          const res = await admin.post(url, token ? { ...form, _csrf: token } : form);
          expect({ url, token, status: res.statusCode, reason: refusal(res) }).toEqual({
            url,
            token,
            status: 403,
            reason: 'csrf',
          });
        }
      }
      expect(await rowCounts(web)).toEqual(before);
      expect((await admin.get('/')).statusCode).toBe(200); // still signed in: the refused logout did nothing
    });

    it("another person's token does not work either", async () => {
      const res = await admin.post(`/items/${ids.item}/cancel`, { _csrf: await editor.csrf() });
      expect(res.statusCode).toBe(403);
    });

    it('the sign-in form needs its own token too', async () => {
      const res = await new Client(web.http).post('/login', {
        email: 'admin@example.org',
        password: 'whatever it is',
      });
      expect(res.statusCode).toBe(403);
      expect(refusal(res)).toBe('csrf');
    });

    it('the queue dashboard is read-only: every route of it that writes answers 405 to an admin and changes nothing', async () => {
      const queue = web.app.ctx.queues.get('channel');
      const job = await queue.add('probe', { deliveryId: 'probe' }, { delay: 3_600_000 });
      const counts = () => queue.getJobCounts('delayed', 'waiting', 'active', 'completed', 'failed');
      const before = await counts();
      const writes = web.http.declaredRoutes.filter(
        (r) => r.url.startsWith('/admin/queues') && !['GET', 'HEAD'].includes(r.method),
      );
      expect(writes.length).toBeGreaterThan(10);
      for (const route of writes) {
        const url = concrete(route.url, ids).replace(/\/x(?=\/|$)/g, `/${job.id}`);
        for (const headers of [
          { 'sec-fetch-site': 'same-origin' },
          { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
        ]) {
          const res = await admin.request({
            method: route.method as 'PUT',
            url,
            headers,
            payload: { name: 'added', data: {} },
          });
          expect({ route: `${route.method} ${route.url}`, status: res.statusCode }).toEqual({
            route: `${route.method} ${route.url}`,
            status: 405,
          });
        }
      }
      expect(await queue.isPaused()).toBe(false);
      expect(await counts()).toEqual(before);
      expect(await queue.getJobState(job.id!)).toBe('delayed');
      await job.remove();
    });

    describe('the JSON API with a staff session', () => {
      const draft = { fields: { title: 'Hello', url: 'https://example.org/a' } };

      it('reads with the session alone; writes need the X-CSRF-Token header', async () => {
        expect((await editor.get('/api/items')).statusCode).toBe(200);
        const without = await editor.request({ method: 'POST', url: '/api/drafts/preview', payload: draft });
        expect(without.statusCode).toBe(403);
        expect(without.json().error.code).toBe('csrf_token');
        const wrong = await editor.request({
          method: 'POST',
          url: '/api/items',
          payload: sampleItem(9),
          headers: { 'x-csrf-token': 'nope' },
        });
        expect(wrong.statusCode).toBe(403);
        const ok = await editor.request({
          method: 'POST',
          url: '/api/drafts/preview',
          payload: draft,
          headers: { 'x-csrf-token': await editor.csrf() },
        });
        expect(ok.statusCode).toBe(200);
      });

      it('API routes whose permission editors lack refuse an editor session but not an admin', async () => {
        expect((await editor.get('/api/channels')).statusCode).toBe(403);
        expect((await admin.get('/api/channels')).statusCode).toBe(200);
      });

      it('without a session or token: 401 as before; the bearer token still works and needs no CSRF token', async () => {
        expect((await web.http.inject({ method: 'GET', url: '/api/items' })).statusCode).toBe(401);
        const res = await web.http.inject({
          method: 'POST',
          url: '/api/drafts/preview',
          payload: draft,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(res.statusCode).toBe(200);
        const wrong = await editor.request({
          method: 'GET',
          url: '/api/items',
          headers: { authorization: 'Bearer wrong-token-000000' },
        });
        expect(wrong.statusCode).toBe(401); // a token that is wrong is never rescued by a cookie
      });

      it('an editor may publish but not announce in the newsletter (admin work)', async () => {
        const created = await editor.request({
          method: 'POST',
          url: '/api/items',
          payload: sampleItem(11),
          headers: { 'x-csrf-token': await editor.csrf() },
        });
        const id = created.json().id as string;
        const announce = await editor.request({
          method: 'POST',
          url: `/api/items/${id}/publish`,
          payload: { announce: true },
          headers: { 'x-csrf-token': await editor.csrf() },
        });
        expect(announce.statusCode).toBe(400);
        expect(announce.json().error.fields).toHaveProperty('announce');
        expect((await editor.get(`/api/items/${id}`)).json().status).toBe('draft');
      });

      it('records who did it: the signed-in person, not "api"', async () => {
        const res = await editor.request({
          method: 'POST',
          url: '/api/items',
          payload: sampleItem(10),
          headers: { 'x-csrf-token': await editor.csrf() },
        });
        expect(res.statusCode).toBe(201);
        const history = (await editor.get(`/api/items/${res.json().id}`)).json().history;
        expect(history[0].actor).toBe('ed@example.org');
      });
    });

    it('sends security headers on pages and API answers', async () => {
      const page = await admin.get('/');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['referrer-policy']).toBe('same-origin');
      expect(page.headers['cache-control']).toBe('no-store');
      const api = await web.http.inject({
        method: 'GET',
        url: '/api/items',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(api.headers['x-content-type-options']).toBe('nosniff');
      expect(api.headers['x-frame-options']).toBe('DENY');
    });

    it('pages carry no inline script or inline style (so the CSP can forbid them)', async () => {
      for (const url of [
        '/',
        '/items',
        '/items/new',
        `/items/${ids.item}`,
        `/items/${ids.item}/edit`,
        '/users',
        '/channels',
        '/account',
        '/members',
        `/members/contacts/${ids.contact}`,
        '/newsletters',
        `/newsletters/${ids.newsletter}`,
      ]) {
        const html = (await admin.get(url)).body;
        expect({ url, inline: html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) }).toEqual({ url, inline: null });
        expect({ url, styles: html.match(/\sstyle=|<style/g) }).toEqual({ url, styles: null });
        expect({ url, handlers: html.match(/\son[a-z]+=/g) }).toEqual({ url, handlers: null });
      }
    });
  });
}
