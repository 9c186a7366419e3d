// 500 contacts through the real newsletter queue (BullMQ workers, Redis, the SQL store) to a real
// in-process SMTP server; every message parsed back with mailparser and its DKIM signature verified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { DIALECTS } from '../../helpers/databases.js';
import type { TestApp } from '../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { verifyToken } from '../../../src/newsletter/unsubscribe-token.js';
import { findRecipient, listRecipients, progressOf } from '../../../src/store/newsletters.js';
import { verifyVerpToken, verpTokenOf } from '../../../src/newsletter/verp.js';
import { buildServer } from '../../../src/http/server.js';
import { findContactByEmail } from '../../../src/store/members.js';
import { verifyDkim } from '../../helpers/dkim-verify.js';
import {
  contactEmail,
  dkimKeyFile,
  header,
  parseAll,
  publishedItem,
  seedContacts,
  sendNewsletterNow,
  startNewsletterApp,
  TOKEN_KEY,
} from '../../helpers/newsletter.js';

const CONTACTS = 500;

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`a newsletter to ${CONTACTS} contacts through the queue (${dialect})`, () => {
    let smtp: FakeSmtp;
    let app: TestApp;
    let newsletterId: string;
    let parsed: Array<{ mail: ParsedMail; raw: Buffer; to: string[] }>;
    let publicKey: ReturnType<typeof dkimKeyFile>['publicKey'];

    beforeAll(async () => {
      smtp = await startFakeSmtp({ auth: { user: 'herald', pass: 'Sm7p/pa:ss@word' } });
      const dkim = dkimKeyFile();
      publicKey = dkim.publicKey;
      app = await startNewsletterApp(dialect, smtp, {
        bounceAddress: 'bounces@alliance.example',
        dkim: { domain: 'alliance.example', selector: 'mail2026', keyFile: dkim.file },
      });
      await seedContacts(app, CONTACTS);
      const itemId = await publishedItem(app, 1, {
        translations: { fr: { title: 'Rapport de conférence', summary: 'Ce que 130 villes ont décidé.' } },
      });
      newsletterId = await sendNewsletterNow(app, 'announcement', [itemId]);
      parsed = await parseAll(smtp.messages);
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await smtp?.close();
    });

    it('sends one message per contact, to the right address, and records each as sent', async () => {
      expect(smtp.messages).toHaveLength(CONTACTS);
      const addresses = parsed
        .map((p) => p.to)
        .flat()
        .sort();
      expect(addresses).toEqual(Array.from({ length: CONTACTS }, (_, i) => contactEmail(i)).sort());
      const progress = await progressOf(app.ctx.store.db, newsletterId);
      expect(progress).toMatchObject({
        total: CONTACTS,
        sent: CONTACTS,
        pending: 0,
        sending: 0,
        deferred: 0,
      });
      const { recipients } = await listRecipients(app.ctx.store.db, newsletterId, { limit: 5, offset: 0 });
      for (const r of recipients) {
        expect(r.reply).toMatch(/^250 /);
        expect(r.messageId).toBe(`<${newsletterId}.${r.contactId}@alliance.example>`);
        expect(r.attempts).toBe(1);
      }
      expect(new Set(smtp.messages.map((m) => m.user))).toEqual(new Set(['herald']));
    });

    it('addresses each contact in their language, with a plain-text part', () => {
      for (const { mail, to } of parsed) {
        const i = Number(/contact(\d+)@/.exec(to[0]!)![1]);
        const french = i % 2 === 1;
        expect(mail.subject).toBe(
          french ? 'Rapport de conférence' : 'Conference report 1: cities and climate',
        );
        expect(mail.text).toContain(french ? `Bonjour Contact ${i},` : `Dear Contact ${i},`);
        expect(mail.text).toContain(to[0]);
        expect(mail.text).not.toMatch(/<(p|div|table|td|a)\b/);
        expect(mail.html).toContain(`City ${Math.floor(i / 5)}`);
      }
    });

    it('carries Message-ID, List-Unsubscribe (+Post) and List-Id headers, and a working signed token', async () => {
      const server = await buildServer(app.ctx, { apiToken: 'test-token-0123456789abcdef' });
      try {
        for (const [n, { mail, to }] of parsed.entries()) {
          const contact = (await findContactByEmail(app.ctx.store.db, to[0]!))!;
          expect(mail.messageId).toBe(`<${newsletterId}.${contact.id}@alliance.example>`);
          expect(header(mail, 'list-unsubscribe-post')).toBe(
            'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
          );
          expect(header(mail, 'list-id')).toBe('List-ID: "Herald newsletter" <newsletter.alliance.example>');
          const url = /<(https:\/\/herald\.test\/u\/[^>]+)>/.exec(
            header(mail, 'list-unsubscribe') ?? '',
          )?.[1];
          expect(url, to[0]).toBeDefined();
          const token = url!.split('/u/')[1]!;
          expect(verifyToken(token, TOKEN_KEY, 'unsubscribe')).toEqual({
            purpose: 'unsubscribe',
            contactId: contact.id,
            newsletterId,
          });
          expect(mail.html).toContain(`href="${url}"`);
          if (n < 3) {
            // One-click, as a mail client does it: a POST without cookies.
            const res = await server.inject({
              method: 'POST',
              url: `/u/${token}`,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              payload: 'List-Unsubscribe=One-Click',
            });
            expect(res.statusCode).toBe(200);
            expect((await findContactByEmail(app.ctx.store.db, to[0]!))!.status).toBe('unsubscribed');
          }
        }
      } finally {
        await server.close();
      }
    });

    it('is DKIM-signed over both List-Unsubscribe headers and Feedback-ID, and every signature verifies', () => {
      for (const { raw, mail } of parsed) {
        const result = verifyDkim(raw, publicKey);
        expect(result.reason).toBeUndefined();
        expect(result.tags).toMatchObject({ d: 'alliance.example', s: 'mail2026' });
        expect(result.signedHeaders).toEqual(
          expect.arrayContaining([
            'list-unsubscribe',
            'list-unsubscribe-post',
            'list-id',
            'message-id',
            'feedback-id',
          ]),
        );
        expect(header(mail, 'feedback-id')).toBe(
          `Feedback-ID: ${newsletterId}:announcement:newsletter.alliance.example:herald`,
        );
      }
    });

    it('gives each message its own VERP envelope sender, whose token names its newsletter and contact', async () => {
      const senders = new Set(smtp.messages.map((m) => m.envelope.from));
      expect(senders.size).toBe(CONTACTS);
      for (const message of smtp.messages.slice(0, 50)) {
        const token = verpTokenOf(message.envelope.from, 'bounces@alliance.example');
        expect(token, message.envelope.from).toMatch(/^[0-9a-f]{48}$/);
        const recipient = await findRecipient(app.ctx.store.db, verifyVerpToken(token!, [TOKEN_KEY])!);
        const contact = await findContactByEmail(app.ctx.store.db, message.envelope.to[0]!);
        expect(recipient).toMatchObject({ newsletterId, contactId: contact!.id });
      }
    });
  });
}
