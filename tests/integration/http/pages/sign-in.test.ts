import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../helpers/databases.js';
import { sessionKey } from '../../../../src/store/users.js';
import { addUser, Client, csrfOf, PASSWORD, startWebApp, type WebApp } from '../../../helpers/web.js';

function sessionCookie(res: { headers: Record<string, unknown> }): string {
  const all = ([] as string[]).concat((res.headers['set-cookie'] as string | string[] | undefined) ?? []);
  const found = all.find((c) => c.startsWith('herald_session='));
  if (!found) throw new Error(`no session cookie in ${JSON.stringify(all)}`);
  return found;
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`sign in and sessions (${dialect})`, () => {
    let web: WebApp;

    beforeAll(async () => {
      web = await startWebApp(dialect);
      await addUser(web.app, 'ada@example.org', 'editor');
      await addUser(web.app, 'off@example.org', 'editor');
    });
    afterAll(async () => web?.close());

    it('sends anonymous visitors to the sign-in page, remembering where they were going', async () => {
      const res = await new Client(web.http).get('/items?status=draft');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/login?next=%2Fitems%3Fstatus%3Ddraft');
    });

    it('signs in: 303 to the page asked for, session cookie signed, HttpOnly, SameSite=Lax, Path=/, not Secure over http', async () => {
      const c = new Client(web.http);
      const page = await c.get('/login?next=/items');
      expect(page.statusCode).toBe(200);
      const res = await c.post('/login', {
        _csrf: csrfOf(page.body),
        email: 'ADA@example.org ',
        password: PASSWORD,
        next: '/items',
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/items');
      const cookie = sessionCookie(res);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/; Secure/);
      expect(cookie.split(';')[0]!.split('=')[1]).toMatch(/^[\w-]{43}\.[\w+/=-]+$/); // token.signature
      expect((await c.get('/items')).statusCode).toBe(200);
    });

    it('marks the cookie Secure when the request came over https (X-Forwarded-Proto from the proxy)', async () => {
      const c = new Client(web.http);
      const page = await c.get('/login', { 'x-forwarded-proto': 'https' });
      const res = await c.post(
        '/login',
        { _csrf: csrfOf(page.body), email: 'ada@example.org', password: PASSWORD },
        { 'x-forwarded-proto': 'https' },
      );
      expect(res.statusCode).toBe(303);
      expect(sessionCookie(res)).toMatch(/; Secure/);
    });

    it('keeps only a hash of the session token in the database', async () => {
      const c = new Client(web.http);
      await c.signIn('ada@example.org');
      const token = c.cookies.get('herald_session')!.split('.')[0]!;
      const rows = await web.app.ctx.store.db.selectFrom('staffSessions').select('id').execute();
      expect(rows.map((r) => r.id)).toContain(sessionKey(token));
      expect(rows.map((r) => r.id)).not.toContain(token);
    });

    it('refuses a wrong password and an unknown email with the same words, and sets no session', async () => {
      for (const email of ['ada@example.org', 'nobody@example.org']) {
        const c = new Client(web.http, `10.1.0.${email.length}`);
        const res = await c.signIn(email, 'not the right password');
        expect(res.statusCode).toBe(401);
        expect(res.body).toContain('The email address or the password is wrong.');
        expect(res.body).not.toContain('not the right password');
        expect(c.cookies.has('herald_session')).toBe(false);
      }
    });

    it('ignores a cookie whose signature was tampered with', async () => {
      const c = new Client(web.http);
      await c.signIn('ada@example.org');
      const [token] = c.cookies.get('herald_session')!.split('.');
      c.cookies.set('herald_session', `${token}.AAAA${'x'.repeat(40)}`);
      expect((await c.get('/')).statusCode).toBe(303);
      c.cookies.set('herald_session', token!); // unsigned
      expect((await c.get('/')).statusCode).toBe(303);
    });

    it('signs out: the session is gone from the database, the old cookie no longer works', async () => {
      const c = new Client(web.http);
      await c.signIn('ada@example.org');
      const stolen = c.cookies.get('herald_session')!;
      const res = await c.post('/logout', { _csrf: await c.csrf() });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/login');
      const replay = new Client(web.http);
      replay.cookies.set('herald_session', stolen);
      expect((await replay.get('/')).statusCode).toBe(303);
    });

    it('never redirects elsewhere after signing in (no open redirect)', async () => {
      for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
        const c = new Client(web.http);
        const page = await c.get('/login');
        const res = await c.post('/login', {
          _csrf: csrfOf(page.body),
          email: 'ada@example.org',
          password: PASSWORD,
          next,
        });
        expect(res.headers.location).toBe('/');
      }
    });

    it('ends a session left idle too long', async () => {
      const c = new Client(web.http);
      await c.signIn('ada@example.org');
      const token = c.cookies.get('herald_session')!.split('.')[0]!;
      const longAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
      await web.app.ctx.store.db
        .updateTable('staffSessions')
        .set({ lastSeenAt: longAgo })
        .where('id', '=', sessionKey(token))
        .execute();
      expect((await c.get('/')).statusCode).toBe(303);
    });

    it('sessions past their end are refused and cleared from the database at the next sign-in', async () => {
      const c = new Client(web.http);
      await c.signIn('ada@example.org');
      const id = sessionKey(c.cookies.get('herald_session')!.split('.')[0]!);
      await web.app.ctx.store.db
        .updateTable('staffSessions')
        .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', id)
        .execute();
      expect((await c.get('/')).statusCode).toBe(303);
      await new Client(web.http).signIn('ada@example.org');
      const left = await web.app.ctx.store.db
        .selectFrom('staffSessions')
        .select('id')
        .where('id', '=', id)
        .execute();
      expect(left).toHaveLength(0);
    });

    it('a disabled account cannot sign in, and disabling it ends its sessions', async () => {
      const c = new Client(web.http);
      expect((await c.signIn('off@example.org')).statusCode).toBe(303);
      const user = (
        await web.app.ctx.store.db
          .selectFrom('staffUsers')
          .select('id')
          .where('email', '=', 'off@example.org')
          .executeTakeFirstOrThrow()
      ).id;
      await web.app.ctx.store.db
        .updateTable('staffUsers')
        .set({ disabled: 1 })
        .where('id', '=', user)
        .execute();
      expect((await c.get('/')).statusCode).toBe(303);
      expect((await new Client(web.http, '10.9.9.9').signIn('off@example.org')).statusCode).toBe(401);
    });

    it('shows the first-admin command on the sign-in page only while there are no staff accounts', async () => {
      const page = await new Client(web.http).get('/login');
      expect(page.body).not.toContain('herald users add');
    });
  });
}
