// Double opt-in on SQLite and PostgreSQL, through the public routes and a real SMTP server: subscribe,
// confirm (a follower: a contact without an authority, with the consent recorded), a replayed link, an
// expired link, a repeat subscription, the honeypot, the per-address and per-IP limits, a complained
// address coming back only this way, and audiences (members, followers, both).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { DIALECTS } from '../../helpers/databases.js';
import type { TestApp } from '../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { startNewsletterApp } from '../../helpers/newsletter.js';
import { buildServer } from '../../../src/http/server.js';
import { applyFeedback } from '../../../src/newsletter/feedback.js';
import { DEFAULT_SUPPRESSION_POLICY } from '../../../src/domain/mail-feedback.js';
import { suppressionOfAddress } from '../../../src/store/mail-feedback.js';
import { importContacts } from '../../../src/store/member-import.js';
import { eligibleContacts, findContactByEmail } from '../../../src/store/members.js';
import { listConsents } from '../../../src/store/subscriptions.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`public subscription, double opt-in (${dialect})`, () => {
    let smtp: FakeSmtp;
    let app: TestApp;
    let http: FastifyInstance;
    let ip = 0;
    beforeAll(async () => {
      smtp = await startFakeSmtp();
    });
    afterAll(async () => smtp?.close());
    beforeEach(async () => {
      smtp.messages.length = 0;
      app = await startNewsletterApp(dialect, smtp, {
        subscribe: { perIpPerHour: 4, perAddressPerDay: 2 },
        audiences: { announcement: 'both', digest: 'members' },
      });
      http = await buildServer(app.ctx, { apiToken: 'test-token-0123456789abcdef' });
    });
    afterEach(async () => {
      await http?.close();
      await app?.close();
    });

    const subscribe = (fields: Record<string, string>, from = `192.0.2.${++ip}`) =>
      http.inject({
        method: 'POST',
        url: '/subscribe',
        headers: FORM,
        payload: form(fields),
        remoteAddress: from,
      });
    const confirmLinks = async () =>
      Promise.all(
        smtp.messages.map(async (m) => {
          const mail = await simpleParser(m.raw);
          return new URL(/https:\/\/herald\.test\/subscribe\/confirm\/\S+/.exec(mail.text ?? '')![0])
            .pathname;
        }),
      );
    const db = () => app.ctx.store.db;

    it('subscribes a follower only once the link is confirmed, records the consent, and a replay changes nothing', async () => {
      const page = await http.inject({ method: 'GET', url: '/subscribe?lang=fr' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('name="website"');
      expect(page.body).toContain('name="announcements"');
      expect(page.body).not.toContain('name="digest"'); // the digest goes to members only

      const res = await subscribe({ email: 'Fan@Example.org', language: 'fr', announcements: 'yes' });
      expect(res.statusCode).toBe(200);
      expect(await findContactByEmail(db(), 'fan@example.org')).toBeNull();
      expect(smtp.messages).toHaveLength(1);
      expect(smtp.messages[0]!.envelope.to).toEqual(['Fan@example.org']);
      const [link] = await confirmLinks();

      const shown = await http.inject({ method: 'GET', url: link! });
      expect(shown.statusCode).toBe(200);
      expect(shown.body).toContain('<form method="post">');
      expect(await findContactByEmail(db(), 'fan@example.org')).toBeNull(); // GET never confirms

      const confirmed = await http.inject({ method: 'POST', url: link! });
      expect(confirmed.statusCode).toBe(200);
      const contact = (await findContactByEmail(db(), 'fan@example.org'))!;
      expect(contact).toMatchObject({
        authorityId: null,
        language: 'fr',
        status: 'active',
        subscriptions: { announcements: true, digest: false },
      });
      const consents = await listConsents(db(), contact.id);
      expect(consents).toEqual([
        expect.objectContaining({ wordingVersion: '2026-12-v1', source: 'https://herald.test/subscribe' }),
      ]);

      const replay = await http.inject({ method: 'POST', url: link! });
      expect(replay.statusCode).toBe(200);
      expect(await listConsents(db(), contact.id)).toHaveLength(1);
      expect((await http.inject({ method: 'POST', url: `${link!}x` })).statusCode).toBe(404);

      // Audiences: announcements reach followers and members, the digest members only.
      await importContacts(
        app.ctx.store,
        'authority,country,name,email,language\nLyon,FR,Anne,anne@lyon.fr,fr',
        {
          actor: 'test',
        },
      );
      const to = async (kind: 'announcement' | 'digest', audience: 'members' | 'followers' | 'both') =>
        (await eligibleContacts(db(), kind, audience)).map((a) => a.email).sort();
      expect(await to('announcement', 'both')).toEqual(['Fan@example.org', 'anne@lyon.fr']);
      expect(await to('announcement', 'followers')).toEqual(['Fan@example.org']);
      expect(await to('announcement', 'members')).toEqual(['anne@lyon.fr']);
    });

    it('refuses an expired link, answers a repeat and the honeypot alike, and limits mails per address and requests per IP', async () => {
      const honeypot = await subscribe({
        email: 'bot@example.org',
        language: 'en',
        announcements: 'yes',
        website: 'x',
      });
      const first = await subscribe({ email: 'late@example.org', language: 'en', announcements: 'yes' });
      expect(honeypot.body).toBe(first.body);
      expect(smtp.messages.map((m) => m.envelope.to[0])).toEqual(['late@example.org']);

      const [link] = await confirmLinks();
      await db()
        .updateTable('subscriptionRequests')
        .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
        .execute();
      expect((await http.inject({ method: 'GET', url: link! })).statusCode).toBe(410);
      expect((await http.inject({ method: 'POST', url: link! })).statusCode).toBe(410);
      expect(await findContactByEmail(db(), 'late@example.org')).toBeNull();

      // A repeat gets a fresh link; past perAddressPerDay (2) no more mail goes out, same answer.
      const again = await subscribe({ email: 'late@example.org', language: 'en', announcements: 'yes' });
      const third = await subscribe({ email: 'late@example.org', language: 'en', announcements: 'yes' });
      expect([again.statusCode, third.statusCode]).toEqual([200, 200]);
      expect(third.body).toBe(again.body);
      expect(smtp.messages).toHaveLength(2);
      const links = await confirmLinks();
      expect((await http.inject({ method: 'POST', url: links[1]! })).statusCode).toBe(200);
      expect(await findContactByEmail(db(), 'late@example.org')).toMatchObject({ authorityId: null });

      // Per IP: 4 an hour, whatever the addresses.
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push(
          (
            await subscribe(
              { email: `p${i}@example.org`, language: 'en', announcements: 'yes' },
              '198.51.100.7',
            )
          ).statusCode,
        );
      expect(codes).toEqual([200, 200, 200, 200, 429]);

      const bad = await subscribe({ email: 'nope', language: 'xx' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('id="email-error"');
      expect(bad.body).toContain('id="language-error"');
    });

    it('lets a complained address back only through its own confirmation', async () => {
      await importContacts(
        app.ctx.store,
        'authority,country,name,email,language\nLyon,FR,Anne,anne@lyon.fr,fr',
        {
          actor: 'test',
        },
      );
      const anne = (await findContactByEmail(db(), 'anne@lyon.fr'))!;
      await applyFeedback(app.ctx.store, DEFAULT_SUPPRESSION_POLICY, {
        kind: 'complaint',
        source: 'mailgun',
        eventId: 'c1',
        contactId: anne.id,
        detail: 'abuse',
      });
      expect(await suppressionOfAddress(db(), 'anne@lyon.fr')).toMatchObject({ reason: 'complaint' });
      await subscribe({ email: 'anne@lyon.fr', language: 'fr', announcements: 'yes' });
      expect((await findContactByEmail(db(), 'anne@lyon.fr'))!.status).toBe('complained');
      const [link] = await confirmLinks();
      await http.inject({ method: 'POST', url: link! });
      expect(await findContactByEmail(db(), 'anne@lyon.fr')).toMatchObject({
        id: anne.id,
        authorityId: anne.authorityId,
        status: 'active',
      });
      expect(await suppressionOfAddress(db(), 'anne@lyon.fr')).toBeNull();
    });
  });
}
