// The member, contact and newsletter API, and the public unsubscribe / preferences / web-version pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { waitFor, type TestApp } from '../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { buildServer } from '../../../src/http/server.js';
import { contactLinks, signToken } from '../../../src/newsletter/unsubscribe-token.js';
import { findContactByEmail } from '../../../src/store/members.js';
import { publishedItem, startNewsletterApp, TOKEN_KEY } from '../../helpers/newsletter.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const CSV =
  'authority,country,name,email,language\nLyon,FR,Anne Martin,anne@lyon.fr,fr\nLyon,FR,Paul,paul@lyon.fr,en\nGhent,BE,Piet,piet@,nl\nGhent,BE,An,an@gent.be,xx\n';

let smtp: FakeSmtp;
let app: TestApp;
let server: FastifyInstance;
let itemId: string;

beforeAll(async () => {
  smtp = await startFakeSmtp();
  app = await startNewsletterApp('sqlite', smtp);
  server = await buildServer(app.ctx, { apiToken: TOKEN });
  itemId = await publishedItem(app, 1, { translations: { fr: { title: 'Rapport de conférence' } } });
  app.startWorkers(['newsletter']);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
  await smtp?.close();
});

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) =>
  server.inject({ method, url, headers: auth, ...(body === undefined ? {} : { payload: body as object }) });

describe('members and contacts API', () => {
  it('needs the API token', async () => {
    expect((await server.inject({ method: 'GET', url: '/api/contacts' })).statusCode).toBe(401);
  });

  it('imports a CSV (text/csv) with a per-row report, then lists, searches and exports', async () => {
    const res = await server.inject({
      method: 'POST',
      url: '/api/contacts/import',
      headers: { ...auth, 'content-type': 'text/csv; charset=utf-8' },
      payload: CSV,
    });
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ rows: 4, created: 2, applied: true });
    expect(report.rejected).toEqual([
      expect.objectContaining({ line: 4, reason: 'invalid email "piet@"' }),
      expect.objectContaining({ line: 5, email: 'an@gent.be', reason: 'unknown language "xx"' }),
    ]);
    const list = (await api('GET', '/api/contacts?q=anne')).json();
    expect(
      list.contacts.map((c: { email: string; authorityName: string }) => [c.email, c.authorityName]),
    ).toEqual([['anne@lyon.fr', 'Lyon']]);
    const members = (await api('GET', '/api/members')).json();
    expect(members.members).toMatchObject([{ name: 'Lyon', country: 'FR', contacts: 2 }]);
    const csv = await api('GET', '/api/contacts/export');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toContain('anne@lyon.fr');
    expect(csv.body.replace(/^\uFEFF/, '').split('\n')[0]).toBe(
      'authority,country,name,email,language,region_type,announcements,digest,status',
    );
  });

  it('rejects a file without the required columns, and a JSON body, with clear errors', async () => {
    const bad = await server.inject({
      method: 'POST',
      url: '/api/contacts/import',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: 'name,email\nA,a@b.fr\n',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.header).toMatch(/authority, country, language/);
    const json = await api('POST', '/api/contacts/import', { csv: 'x' });
    expect(json.statusCode).toBe(415);
  });

  it('edits contacts and members with errors naming each field', async () => {
    const anne = (await findContactByEmail(app.ctx.store.db, 'anne@lyon.fr'))!;
    const bad = await api('PATCH', `/api/contacts/${anne.id}`, { email: 'nope', language: 'klingon' });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields).sort()).toEqual(['email', 'language']);
    const ok = await api('PATCH', `/api/contacts/${anne.id}`, {
      name: 'Anne  Martin-Roux',
      subscriptions: { digest: false },
    });
    expect(ok.json()).toMatchObject({
      name: 'Anne Martin-Roux',
      subscriptions: { announcements: true, digest: false },
    });
    const dup = await api('POST', '/api/members', { name: 'lyon', country: 'fr' });
    expect(dup.statusCode).toBe(409);
    const country = await api('POST', '/api/members', { name: 'Atlantis', country: 'ZZ' });
    expect(country.json().error.fields).toEqual({ country: 'must be an ISO 3166-1 alpha-2 country code' });
    const created = await api('POST', '/api/members', { name: 'Porto', country: 'pt', regionType: 'city' });
    expect(created.statusCode).toBe(201);
    const contact = await api('POST', '/api/contacts', {
      authorityId: created.json().id,
      email: 'Rui@Porto.PT',
      language: 'pt',
      name: 'Rui',
    });
    expect(contact.json()).toMatchObject({ email: 'Rui@porto.pt', status: 'active' });
    expect(
      (
        await api('POST', '/api/contacts', {
          authorityId: created.json().id,
          email: 'rui@porto.pt',
          language: 'pt',
        })
      ).statusCode,
    ).toBe(409);
  });

  it('staff cannot subscribe again a contact who unsubscribed', async () => {
    const rui = (await findContactByEmail(app.ctx.store.db, 'rui@porto.pt'))!;
    expect((await api('PATCH', `/api/contacts/${rui.id}`, { status: 'unsubscribed' })).json().status).toBe(
      'unsubscribed',
    );
    const again = await api('PATCH', `/api/contacts/${rui.id}`, { status: 'active' });
    expect(again.statusCode).toBe(409);
  });
});

describe('newsletters API', () => {
  let id: string;

  it('creates a draft, refusing bad input field by field', async () => {
    const bad = await api('POST', '/api/newsletters', { kind: 'weekly', itemIds: ['nope'], extra: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toMatchObject({
      kind: expect.stringMatching(/announcement, digest/),
      'itemIds.0': expect.any(String),
      extra: 'unknown field',
    });
    const missing = await api('POST', '/api/newsletters', {
      kind: 'digest',
      itemIds: [`itm_${'0'.repeat(32)}`],
    });
    expect(missing.json().error.fields).toEqual({ 'itemIds.0': `no item itm_${'0'.repeat(32)}` });
    const res = await api('POST', '/api/newsletters', {
      kind: 'announcement',
      itemIds: [itemId],
      subject: 'Big news',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'draft', subject: 'Big news', progress: { total: 0 } });
    id = res.json().id;
  });

  it('previews as a contact (json, html, text) in their language', async () => {
    const json = (await api('GET', `/api/newsletters/${id}/preview?contact=anne@lyon.fr`)).json();
    expect(json).toMatchObject({ to: 'anne@lyon.fr', language: 'fr', subject: 'Big news', warnings: [] });
    expect(json.text).toContain('Bonjour Anne Martin-Roux,');
    const html = await api('GET', `/api/newsletters/${id}/preview?contact=paul@lyon.fr&format=html`);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain('Dear Paul,');
    const text = await api('GET', `/api/newsletters/${id}/preview?format=text&language=fr`);
    expect(text.body).toContain('Rapport de conférence');
    expect((await api('GET', `/api/newsletters/${id}/preview?contact=nobody@example.org`)).statusCode).toBe(
      404,
    );
  });

  it('sends a test to any address without counting it as sent to a member', async () => {
    expect(
      (await api('POST', `/api/newsletters/${id}/test`, { to: 'not an address' })).json().error.fields,
    ).toEqual({ to: 'must be a valid email address' });
    const res = await api('POST', `/api/newsletters/${id}/test`, { to: 'Editor@Alliance.example' });
    expect(res.statusCode).toBe(200);
    expect(res.json().response).toMatch(/^250 /);
    const mail = await simpleParser(smtp.messages.at(-1)!.raw);
    expect(mail.subject).toBe('[Test] Big news');
    expect(smtp.messages.at(-1)!.envelope.to).toEqual(['Editor@alliance.example']);
    const status = (await api('GET', `/api/newsletters/${id}`)).json();
    expect(status).toMatchObject({ status: 'draft', progress: { total: 0 } });
    expect(status.history.map((h: { action: string }) => h.action)).toContain('newsletter_test_sent');
    // Its unsubscribe link changes nobody.
    const link = new URL(
      /<(https:\/\/herald\.test\/u\/[^>]+)>/.exec(
        mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line,
      )![1]!,
    ).pathname;
    const click = await server.inject({
      method: 'POST',
      url: link,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(click.statusCode).toBe(200);
    expect(click.body).toMatch(/Preview: .*Nothing done here changes a subscription/);
  });

  it("a preview's links show the pages but never act: posting its /p and /u links changes nobody", async () => {
    const anne = async () => findContactByEmail(app.ctx.store.db, 'anne@lyon.fr');
    const before = await anne();
    const html = (await api('GET', `/api/newsletters/${id}/preview?contact=anne@lyon.fr`)).json()
      .html as string;
    const link = (kind: string) =>
      new URL(new RegExp(`https://herald\\.test/${kind}/[^"<\\s]+`).exec(html)![0]).pathname;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const shown = await server.inject({ method: 'GET', url: link('p') });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('name="digest"');
    expect(shown.body).not.toContain('anne@lyon.fr');
    const posted = await server.inject({
      method: 'POST',
      url: link('p'),
      headers: form,
      payload: 'announcements=&digest=&language=nl',
    });
    expect(posted.statusCode).toBe(200);
    expect(posted.body).toContain('Preview:');
    const oneClick = await server.inject({
      method: 'POST',
      url: link('u'),
      headers: form,
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);
    expect(await anne()).toEqual(before);
    expect(before!.status).toBe('active');
  });

  it('schedules, refuses what the state does not allow, sends, reports progress and per-recipient results', async () => {
    const later = await api('POST', `/api/newsletters/${id}/send`, {
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(later.statusCode).toBe(202);
    expect(later.json()).toMatchObject({ status: 'scheduled' });
    expect((await api('POST', `/api/newsletters/${id}/pause`)).statusCode).toBe(409);
    expect(
      (await api('POST', `/api/newsletters/${id}/send`, { at: '2001-01-01T00:00:00Z' })).json().error.fields,
    ).toEqual({ at: 'is in the past' });
    const now = await api('POST', `/api/newsletters/${id}/send`, {});
    expect(now.statusCode).toBe(202);
    await waitFor(
      async () => (await api('GET', `/api/newsletters/${id}`)).json().status === 'sent',
      15_000,
      'sent',
    );
    const done = (await api('GET', `/api/newsletters/${id}`)).json();
    expect(done.progress).toMatchObject({
      total: 2,
      sent: 2,
      pending: 0,
      deferred: 0,
      bounced: 0,
      failed: 0,
    });
    expect(done.content).toBeUndefined();
    const recipients = (await api('GET', `/api/newsletters/${id}/recipients?status=sent`)).json();
    expect(recipients.recipients.map((r: { email: string }) => r.email).sort()).toEqual([
      'anne@lyon.fr',
      'paul@lyon.fr',
    ]);
    expect(recipients.recipients[0].reply).toMatch(/^250 /);
    expect((await api('POST', `/api/newsletters/${id}/send`, {})).statusCode).toBe(409);
    expect((await api('GET', '/api/newsletters/nl_nope')).statusCode).toBe(404);
  });
});

describe('public newsletter links', () => {
  let anne: { id: string };
  let links: ReturnType<typeof contactLinks>;
  const path = (url: string) => new URL(url).pathname;

  beforeAll(async () => {
    anne = (await findContactByEmail(app.ctx.store.db, 'anne@lyon.fr'))!;
    const [newsletter] = await app.ctx.store.db
      .selectFrom('newsletters')
      .select('id')
      .where('status', '=', 'sent')
      .execute();
    links = contactLinks({
      baseUrl: 'https://herald.test',
      key: TOKEN_KEY,
      contactId: anne.id,
      newsletterId: newsletter!.id,
    });
  });

  it('a tampered or misused token is a bare 404', async () => {
    const good = path(links.unsubscribeUrl);
    const tampered = `${good.slice(0, -3)}${good.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    for (const url of [
      tampered,
      '/u/v1.x.y',
      '/u/',
      path(links.preferencesUrl).replace('/p/', '/u/'),
      `/p/${signToken({ purpose: 'preferences', contactId: 'ctc_missing' }, TOKEN_KEY)}`,
    ]) {
      const res = await server.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toMatch(/signature|hmac|purpose|expired|contact/i);
    }
    expect((await server.inject({ method: 'POST', url: tampered, payload: '' })).statusCode).toBe(404);
  });

  it('GET shows a confirmation and changes nothing; POST unsubscribes, with no cookie and no redirect', async () => {
    const look = await server.inject({ method: 'GET', url: path(links.unsubscribeUrl) });
    expect(look.statusCode).toBe(200);
    expect(look.headers['cache-control']).toBe('no-store');
    expect(look.headers['referrer-policy']).toBe('no-referrer');
    expect(look.body).toContain('<form method="post">');
    expect((await server.inject({ method: 'HEAD', url: path(links.unsubscribeUrl) })).statusCode).toBe(200);
    expect((await findContactByEmail(app.ctx.store.db, 'anne@lyon.fr'))!.status).toBe('active');
    const post = await server.inject({
      method: 'POST',
      url: path(links.unsubscribeUrl),
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    });
    expect(post.statusCode).toBe(200);
    expect(post.headers['set-cookie']).toBeUndefined();
    expect(post.headers.location).toBeUndefined();
    expect(post.body).toContain('anne@lyon.fr');
    expect((await findContactByEmail(app.ctx.store.db, 'anne@lyon.fr'))!.status).toBe('unsubscribed');
  });

  it('one-click POST accepts any body with any content type (RFC 8058 clients vary), or none', async () => {
    const url = path(links.unsubscribeUrl);
    const bodies: Array<[string | undefined, string]> = [
      ['application/json', 'List-Unsubscribe=One-Click'],
      ['application/json', '{"List-Unsubscribe":"One-Click"}'],
      ['text/plain', 'List-Unsubscribe=One-Click'],
      ['application/octet-stream', '\u0000\u00ff binary'],
      ['multipart/form-data', 'no boundary at all'],
      ['application/x-www-form-urlencoded', '%%%=&&=='],
      ['something/odd; charset=unknown', 'x'],
      [undefined, ''],
      [undefined, 'List-Unsubscribe=One-Click'],
    ];
    for (const [type, payload] of bodies) {
      await app.ctx.store.db
        .updateTable('contacts')
        .set({ status: 'active' })
        .where('email', '=', 'anne@lyon.fr')
        .execute();
      const res = await server.inject({
        method: 'POST',
        url,
        payload,
        headers: type ? { 'content-type': type } : {},
      });
      expect(res.statusCode, `${type} ${payload}`).toBe(200);
      expect((await findContactByEmail(app.ctx.store.db, 'anne@lyon.fr'))!.status, `${type} ${payload}`).toBe(
        'unsubscribed',
      );
    }
  });

  it('the preferences page shows choices on GET and saves them on POST (subscribing again)', async () => {
    const page = await server.inject({ method: 'GET', url: path(links.preferencesUrl) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="digest"');
    expect(page.body).toContain('<option value="fr" selected>');
    expect((await findContactByEmail(app.ctx.store.db, 'anne@lyon.fr'))!.status).toBe('unsubscribed');
    const save = await server.inject({
      method: 'POST',
      url: path(links.preferencesUrl),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'form=preferences&digest=yes&language=en',
    });
    expect(save.statusCode).toBe(200);
    expect(await findContactByEmail(app.ctx.store.db, 'anne@lyon.fr')).toMatchObject({
      status: 'active',
      language: 'en',
      subscriptions: { announcements: false, digest: true },
    });
    const bad = await server.inject({
      method: 'POST',
      url: path(links.preferencesUrl),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'language=xx',
    });
    expect(bad.statusCode).toBe(400);
  });

  it('the web version shows the newsletter without personal data', async () => {
    const res = await server.inject({ method: 'GET', url: path(links.webVersionUrl) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Big news');
    expect(res.body).not.toContain('anne@lyon.fr');
    expect(res.body).not.toContain('/u/');
  });
});
