import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../helpers/databases.js';
import { waitFor } from '../../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp } from '../../../fakes/smtp.js';
import { contactsCsv, newsletterOverrides, publishedItem } from '../../../helpers/newsletter.js';
import { buildServer } from '../../../../src/http/server.js';
import { findContactByEmail, countContactsByStatus } from '../../../../src/store/members.js';
import { getNewsletter } from '../../../../src/store/newsletters.js';
import { applyFeedback } from '../../../../src/newsletter/feedback.js';
import { DEFAULT_SUPPRESSION_POLICY } from '../../../../src/domain/mail-feedback.js';
import { startTestApp } from '../../../helpers/app.js';
import { addUser, Client, TOKEN, type WebApp } from '../../../helpers/web.js';

const decode = (html: string) =>
  html
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
const BAD_ROW = 'Nowhere,XX,Bad Row,not-an-email,en';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`member and newsletter pages (${dialect})`, () => {
    let smtp: FakeSmtp;
    let web: WebApp;
    let admin: Client;
    let editor: Client;

    beforeAll(async () => {
      smtp = await startFakeSmtp();
      const app = await startTestApp(dialect, newsletterOverrides(smtp));
      app.startWorkers(['publish', 'channel', 'newsletter']);
      const http = await buildServer(app.ctx, { apiToken: TOKEN });
      web = {
        app,
        http,
        close: async () => {
          await http.close();
          await app.close();
        },
      };
      await addUser(app, 'admin@example.org', 'admin');
      await addUser(app, 'ed@example.org', 'editor');
      admin = new Client(http, '10.7.0.1');
      editor = new Client(http, '10.7.0.2');
      await admin.signIn('admin@example.org');
      await editor.signIn('ed@example.org');
    });
    afterAll(async () => {
      await web?.close();
      await smtp?.close();
    });

    it('checks a CSV first (nothing saved), reports the bad row, then imports the good ones', async () => {
      const csv = `${contactsCsv(4).trimEnd()}\n${BAD_ROW}\n`;
      const check = await admin.post('/members/import', { _csrf: await admin.csrf(), csv, dryRun: 'on' });
      expect(check.statusCode).toBe(200);
      const report = decode(check.body);
      expect(report).toContain('Checked only: nothing is saved yet.');
      expect(report).toMatch(
        /<li data-reason><strong>Email address: invalid email "not-an-email"<\/strong> – 1 row; Lines <span data-lines>6<\/span>/,
      );
      expect(await countContactsByStatus(web.app.ctx.store.db)).toEqual({});
      const apply = await admin.post('/members/import', { _csrf: await admin.csrf(), csv });
      expect(decode(apply.body)).toContain('The valid rows are saved.');
      expect((await countContactsByStatus(web.app.ctx.store.db)).active).toBe(4);
      const list = (await admin.get('/members?q=city1')).body;
      expect(list).toContain('contact1@city1.example.eu');
      expect(list).not.toContain('contact2@city2.example.eu');
    });

    it('edits a contact, names a bad field, and will not resubscribe someone who unsubscribed', async () => {
      const contact = (await findContactByEmail(web.app.ctx.store.db, 'contact0@city0.example.eu'))!;
      const csrf = await admin.csrf();
      const base = {
        _csrf: csrf,
        name: 'Contact Zero',
        email: contact.email,
        language: 'fr',
        announcements: 'on',
        status: 'active',
      };
      expect((await admin.post(`/members/contacts/${contact.id}`, base)).statusCode).toBe(303);
      expect(await findContactByEmail(web.app.ctx.store.db, contact.email)).toMatchObject({
        language: 'fr',
        name: 'Contact Zero',
        subscriptions: { announcements: true, digest: false },
      });
      const bad = await admin.post(`/members/contacts/${contact.id}`, { ...base, email: 'nope' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toMatch(/id="f-email"[^>]*aria-invalid="true"/);
      await admin.post(`/members/contacts/${contact.id}`, { ...base, status: 'unsubscribed' });
      const back = await admin.post(`/members/contacts/${contact.id}`, { ...base, status: 'active' });
      expect(back.statusCode).toBe(409);
      expect(back.body).toContain('can only subscribe again themselves');
    });

    it('exports the contacts as CSV, for admins only', async () => {
      const res = await admin.get('/members/export');
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.body).toContain('contact1@city1.example.eu');
      expect((await editor.get('/members/export')).statusCode).toBe(403);
    });

    let newsletterId = '';
    it('creates a newsletter from published items; refuses one without items, naming the field', async () => {
      const item = await publishedItem(web.app, 1);
      const none = await admin.post('/newsletters', { _csrf: await admin.csrf(), kind: 'announcement' });
      expect(none.statusCode).toBe(303);
      expect(decode((await admin.get('/newsletters')).body)).toContain('itemIds: ');
      const res = await admin.post('/newsletters', {
        _csrf: await admin.csrf(),
        kind: 'announcement',
        itemIds: item,
        subject: 'News from the cities',
      });
      expect(res.statusCode).toBe(303);
      newsletterId = String(res.headers.location).split('/').pop()!;
      expect(newsletterId).toMatch(/^nl_[0-9a-f]{32}$/);
      const page = (await admin.get(`/newsletters/${newsletterId}`)).body;
      expect(page).toContain('News from the cities');
      expect(page).toContain(`src="/newsletters/${newsletterId}/preview?"`);
    });

    it('previews as a chosen contact in a frame that runs no script', async () => {
      const contact = (await findContactByEmail(web.app.ctx.store.db, 'contact1@city1.example.eu'))!;
      const page = (await admin.get(`/newsletters/${newsletterId}?contact=${contact.id}&width=mobile`)).body;
      expect(page).toContain('class="mail-preview mail-mobile"');
      expect(page).toContain('sandbox=""');
      const preview = await admin.get(`/newsletters/${newsletterId}/preview?contact=${contact.id}`);
      expect(preview.statusCode).toBe(200);
      expect(preview.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(String(preview.headers['content-security-policy'])).toContain("frame-ancestors 'self'");
      expect(String(preview.headers['content-security-policy'])).not.toContain('script-src');
      expect(preview.body).toContain('Contact 1');
    });

    it('editors read newsletters but no contact: the preview uses the sample contact; creating, testing, sending are refused', async () => {
      const contact = (await findContactByEmail(web.app.ctx.store.db, 'contact1@city1.example.eu'))!;
      const page = (await editor.get(`/newsletters/${newsletterId}?contact=${contact.id}`)).body;
      expect(page).toContain('News from the cities');
      expect(page).not.toContain('contact1@city1.example.eu');
      expect(page).not.toContain(`action="/newsletters/${newsletterId}/test"`);
      expect(page).not.toContain(`action="/newsletters/${newsletterId}/send"`);
      expect((await editor.get(`/newsletters/${newsletterId}/send`)).statusCode).toBe(403);
      expect((await editor.get('/newsletters')).body).not.toContain('action="/newsletters"');
      const preview = await editor.get(`/newsletters/${newsletterId}/preview?contact=${contact.id}`);
      expect(preview.statusCode).toBe(200);
      expect(preview.body).not.toContain('Contact 1');
      expect(preview.body).not.toContain('contact1@city1.example.eu');
      const viaApi = await editor.get(
        `/api/newsletters/${newsletterId}/preview?contact=${contact.id}&format=text`,
      );
      expect(viaApi.statusCode).toBe(200);
      expect(viaApi.body).not.toContain('Contact 1');
      expect(
        (await admin.get(`/api/newsletters/${newsletterId}/preview?contact=${contact.id}&format=text`)).body,
      ).toContain('Contact 1');
      expect((await editor.get(`/api/newsletters/${newsletterId}/recipients`)).statusCode).toBe(403);
      const csrf = await editor.csrf();
      for (const url of [
        '/newsletters',
        `/newsletters/${newsletterId}`,
        `/newsletters/${newsletterId}/test`,
        `/newsletters/${newsletterId}/send`,
        `/newsletters/${newsletterId}/cancel`,
      ]) {
        const res = await editor.post(url, {
          _csrf: csrf,
          kind: 'announcement',
          to: 'ed@example.org',
          subject: 'Mine',
        });
        expect({ url, status: res.statusCode }).toEqual({ url, status: 403 });
      }
      expect((await getNewsletter(web.app.ctx.store.db, newsletterId)).status).toBe('draft');
    });

    it('sends a test to any address, without counting it as sent to a member', async () => {
      const res = await admin.post(`/newsletters/${newsletterId}/test`, {
        _csrf: await admin.csrf(),
        to: 'proof@example.org',
      });
      expect(res.statusCode).toBe(303);
      expect((await admin.get(`/newsletters/${newsletterId}`)).body).toContain(
        'Test sent to proof@example.org.',
      );
      await waitFor(
        async () => smtp.messages.some((m) => m.envelope.to.includes('proof@example.org')),
        10_000,
        'the test message',
      );
      expect(
        smtp.messages.find((m) => m.envelope.to.includes('proof@example.org'))!.raw.toString(),
      ).toContain('[Test]');
      expect((await getNewsletter(web.app.ctx.store.db, newsletterId)).status).toBe('draft');
    });

    it('sends it after the confirmation; the progress fragment follows it to the end; the recipients list the results', async () => {
      const unconfirmed = await admin.post(`/newsletters/${newsletterId}/send`, {
        _csrf: await admin.csrf(),
        publishAt: '',
        timezone: 'Europe/Paris',
      });
      expect(unconfirmed.statusCode).toBe(303);
      expect(unconfirmed.headers.location).toBe(
        `/newsletters/${newsletterId}/send?publishAt=&timezone=Europe%2FParis`,
      );
      expect((await getNewsletter(web.app.ctx.store.db, newsletterId)).status).toBe('draft');
      const confirm = decode((await admin.get(String(unconfirmed.headers.location))).body);
      expect(confirm).toContain('Send this newsletter?');
      expect(confirm).toContain('Yes, send it to 3 recipients');
      const res = await admin.post(`/newsletters/${newsletterId}/send`, {
        _csrf: await admin.csrf(),
        publishAt: '',
        timezone: 'Europe/Paris',
        confirmed: 'yes',
      });
      expect(res.statusCode).toBe(303);
      await waitFor(
        async () => (await getNewsletter(web.app.ctx.store.db, newsletterId)).status === 'sent',
        30_000,
        'newsletter sent',
      );
      const progress = (await admin.get(`/newsletters/${newsletterId}/progress`)).body;
      expect(progress).toContain('value="100"');
      expect(progress).toMatch(/3 sent, 0 to go, 0 failed or bounced, 0 unknown, 0 not sent, of 3/);
      const page = (await admin.get(`/newsletters/${newsletterId}`)).body;
      expect(page).toContain('3 recipients');
      expect(page).toContain('contact1@city1.example.eu');
      expect(page).not.toContain('data-live-url'); // finished: nothing to poll any more
    }, 60_000);

    it('shows what came back after sending: counts with rates, and the alarm past 0.3% complaints', async () => {
      const before = decode((await admin.get(`/newsletters/${newsletterId}`)).body);
      expect(before).toContain('After sending: bounces, complaints, unsubscriptions');
      expect(before).toMatch(/<th scope="row">Delivered<\/th><td>3<\/td><td>100\.00%<\/td>/);
      expect(before).not.toContain('Gmail&#x27;s limit');
      await applyFeedback(web.app.ctx.store, DEFAULT_SUPPRESSION_POLICY, {
        kind: 'complaint',
        source: 'postmark',
        eventId: 'page-complaint-1',
        email: 'contact1@city1.example.eu',
        newsletterId,
        detail: 'abuse',
      });
      const after = decode((await admin.get(`/newsletters/${newsletterId}`)).body);
      expect(after).toMatch(/<th scope="row">Complained \(spam reports\)<\/th><td>1<\/td><td>33\.33%<\/td>/);
      expect(after).toContain("Complaints reached 0.3% of the messages sent: Gmail's limit.");
    });

    it('refuses what the state does not allow, in plain words', async () => {
      await admin.post(`/newsletters/${newsletterId}/pause`, { _csrf: await admin.csrf() });
      expect((await admin.get(`/newsletters/${newsletterId}`)).body).toContain(
        'cannot pause a newsletter that is sent',
      );
    });
  });
}
