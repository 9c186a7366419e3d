import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../helpers/databases.js';
import { findUserByEmail, listUserSessions } from '../../../../src/store/users.js';
import { listAccounts } from '../../../../src/store/accounts.js';
import { editStaffUser } from '../../../../src/app/staff.js';
import { addUser, Client, PASSWORD, startWebApp, type WebApp } from '../../../helpers/web.js';

const decode = (html: string) =>
  html
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`users, channels and account pages (${dialect})`, () => {
    let web: WebApp;
    let admin: Client;
    let csrf: string;

    beforeAll(async () => {
      web = await startWebApp(dialect);
      await addUser(web.app, 'root@example.org', 'admin');
      admin = new Client(web.http, '10.5.0.1');
      await admin.signIn('root@example.org');
      csrf = await admin.csrf();
    });
    afterAll(async () => web?.close());

    it('adds a staff account, naming each bad field, refusing a duplicate', async () => {
      const bad = await admin.post('/users', {
        _csrf: csrf,
        email: 'not-an-email',
        name: '',
        role: 'boss',
        password: 'short',
      });
      expect(bad.statusCode).toBe(400);
      const html = decode(bad.body);
      expect(html).toMatch(/id="f-email-error">must be an email address/);
      expect(html).toMatch(/id="f-password-error">must be at least 12 characters/);
      expect(html).toMatch(/id="f-role-error">must be one of contributor, editor, admin/);
      expect(html).not.toContain('value="short"'); // a password is never echoed back
      const ok = await admin.post('/users', {
        _csrf: csrf,
        email: 'New@Example.org',
        name: 'Nina',
        role: 'editor',
        password: 'a long first password',
      });
      expect(ok.statusCode).toBe(303);
      expect(await findUserByEmail(web.app.ctx.store.db, 'new@example.org')).toMatchObject({
        role: 'editor',
        name: 'Nina',
      });
      const again = await admin.post('/users', {
        _csrf: csrf,
        email: 'new@example.org',
        role: 'editor',
        password: 'a long first password',
      });
      expect(again.statusCode).toBe(409);
      expect(again.body).toContain('already exists');
    });

    it('changes a role, disables and enables, sets a password that signs the person out everywhere', async () => {
      const nina = (await findUserByEmail(web.app.ctx.store.db, 'new@example.org'))!;
      const her = new Client(web.http, '10.5.0.2');
      expect((await her.signIn('new@example.org', 'a long first password')).statusCode).toBe(303);
      await admin.post(`/users/${nina.id}`, { _csrf: csrf, role: 'admin' });
      expect((await findUserByEmail(web.app.ctx.store.db, nina.email))!.role).toBe('admin');
      expect((await her.get('/users')).statusCode).toBe(200); // the role counts at once, no new sign-in needed
      await admin.post(`/users/${nina.id}/password`, { _csrf: csrf, password: 'another long password' });
      expect((await her.get('/')).statusCode).toBe(303);
      expect(
        (await new Client(web.http, '10.5.0.3').signIn('new@example.org', 'another long password'))
          .statusCode,
      ).toBe(303);
      await admin.post(`/users/${nina.id}`, { _csrf: csrf, disabled: 'true' });
      expect((await findUserByEmail(web.app.ctx.store.db, nina.email))!.disabled).toBe(true);
      expect(await listUserSessions(web.app.ctx.store.db, nina.id)).toHaveLength(0);
      await admin.post(`/users/${nina.id}`, { _csrf: csrf, disabled: 'false' });
      expect((await findUserByEmail(web.app.ctx.store.db, nina.email))!.disabled).toBe(false);
    });

    it('an admin cannot disable themselves or drop their own admin role', async () => {
      const me = (await findUserByEmail(web.app.ctx.store.db, 'root@example.org'))!;
      for (const change of [{ role: 'editor' }, { disabled: 'true' }] as Array<Record<string, string>>) {
        await admin.post(`/users/${me.id}`, { _csrf: csrf, ...change });
        expect((await admin.get('/users')).body).toContain(
          'You cannot disable yourself or remove your own admin role',
        );
        expect(await findUserByEmail(web.app.ctx.store.db, me.email)).toMatchObject({
          role: 'admin',
          disabled: false,
        });
      }
    });

    it('the store refuses to leave no active admin (the CLI goes through it too)', async () => {
      const db = web.app.ctx.store.db;
      const nina = (await findUserByEmail(db, 'new@example.org'))!;
      const root = (await findUserByEmail(db, 'root@example.org'))!;
      await editStaffUser(web.app.ctx.store, nina.id, { role: 'editor' }, 'test');
      await expect(editStaffUser(web.app.ctx.store, root.id, { role: 'editor' }, 'test')).rejects.toThrow(
        'last active admin',
      );
      await expect(editStaffUser(web.app.ctx.store, root.id, { disabled: true }, 'test')).rejects.toThrow(
        'last active admin',
      );
      await editStaffUser(web.app.ctx.store, nina.id, { role: 'admin' }, 'test');
      await editStaffUser(web.app.ctx.store, root.id, { role: 'editor' }, 'test'); // another admin exists now
      await editStaffUser(web.app.ctx.store, root.id, { role: 'admin' }, 'test');
      await editStaffUser(web.app.ctx.store, nina.id, { role: 'editor' }, 'test');
    });

    it('channels: lists the accounts with their state; "check now" records the check', async () => {
      const page = await admin.get('/channels');
      expect(page.body).toContain('data-account="twitter"');
      expect(page.body).toContain('never');
      const res = await admin.post('/channels/check', { _csrf: csrf });
      expect(res.statusCode).toBe(303);
      expect((await listAccounts(web.app.ctx.store.db)).every((a) => a.lastCheckedAt !== null)).toBe(true);
      const after = (await admin.get('/channels')).body;
      expect(after).toContain('All 2 accounts work.');
      expect(after).not.toMatch(/<td>never<\/td>/);
    });

    it('my account: time zone, password change (current one required), signing out elsewhere', async () => {
      const bad = await admin.post('/account', { _csrf: csrf, name: 'Root', timezone: 'Nowhere/City' });
      expect(bad.statusCode).toBe(400);
      expect(
        (await admin.post('/account', { _csrf: csrf, name: 'Root', timezone: 'America/New_York' }))
          .statusCode,
      ).toBe(303);
      expect((await findUserByEmail(web.app.ctx.store.db, 'root@example.org'))!.timezone).toBe(
        'America/New_York',
      );
      const elsewhere = new Client(web.http, '10.5.0.9');
      await elsewhere.signIn('root@example.org');
      const wrong = await admin.post('/account/password', {
        _csrf: csrf,
        currentPassword: 'not my password',
        newPassword: 'brand new password',
        confirmPassword: 'brand new password',
      });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toMatch(/id="f-currentPassword-error">is not your current password/);
      const mismatch = await admin.post('/account/password', {
        _csrf: csrf,
        currentPassword: PASSWORD,
        newPassword: 'brand new password',
        confirmPassword: 'brand new passw0rd',
      });
      expect(mismatch.statusCode).toBe(400);
      const ok = await admin.post('/account/password', {
        _csrf: csrf,
        currentPassword: PASSWORD,
        newPassword: 'brand new password',
        confirmPassword: 'brand new password',
      });
      expect(ok.statusCode).toBe(303);
      expect((await admin.get('/')).statusCode).toBe(200); // this session stays
      expect((await elsewhere.get('/')).statusCode).toBe(303); // the others end
    });
  });
}
