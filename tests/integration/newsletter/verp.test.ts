// With HERALD_BOUNCE_ADDRESS, every message of a send goes out with its own VERP envelope sender naming
// its recipient row, and a Feedback-ID header; List-* headers and the DKIM signature are as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { DIALECTS } from '../../helpers/databases.js';
import type { TestApp } from '../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { createNewsletter } from '../../../src/newsletter/staff-tools.js';
import { startSend } from '../../../src/newsletter/send-flow.js';
import { verifyVerpToken, verpTokenOf } from '../../../src/newsletter/verp.js';
import { findRecipient } from '../../../src/store/newsletters.js';
import { findContactByEmail } from '../../../src/store/members.js';
import { verifyDkim } from '../../helpers/dkim-verify.js';
import {
  dkimKeyFile,
  header,
  parseAll,
  publishedItem,
  seedContacts,
  startNewsletterApp,
  TOKEN_KEY,
  waitForStatus,
} from '../../helpers/newsletter.js';

const CONTACTS = 6;

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`VERP return paths and Feedback-ID (${dialect})`, () => {
    let smtp: FakeSmtp;
    let app: TestApp;
    let newsletterId: string;
    let parsed: Array<{ mail: ParsedMail; raw: Buffer; to: string[] }>;
    let publicKey: ReturnType<typeof dkimKeyFile>['publicKey'];

    beforeAll(async () => {
      smtp = await startFakeSmtp();
      const dkim = dkimKeyFile();
      publicKey = dkim.publicKey;
      app = await startNewsletterApp(dialect, smtp, {
        bounceAddress: 'bounces@alliance.example',
        dkim: { domain: 'alliance.example', selector: 'mail2026', keyFile: dkim.file },
      });
      await seedContacts(app, CONTACTS);
      const itemId = await publishedItem(app, 1);
      newsletterId = (await createNewsletter(app.ctx, { kind: 'digest', itemIds: [itemId] }, 'test')).id;
      app.startWorkers(['newsletter']);
      await startSend(app.ctx, newsletterId, { actor: 'test' });
      await waitForStatus(app, newsletterId, 'sent', 60_000);
      parsed = await parseAll(smtp.messages);
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await smtp?.close();
    });

    it('gives each message an envelope sender whose token names its newsletter and contact', async () => {
      expect(smtp.messages).toHaveLength(CONTACTS);
      const senders = new Set<string>();
      for (const message of smtp.messages) {
        senders.add(message.envelope.from);
        const token = verpTokenOf(message.envelope.from, 'bounces@alliance.example');
        expect(token, message.envelope.from).not.toBeNull();
        const recipient = await findRecipient(app.ctx.store.db, verifyVerpToken(token!, [TOKEN_KEY])!);
        const contact = await findContactByEmail(app.ctx.store.db, message.envelope.to[0]!);
        expect(recipient).toMatchObject({ newsletterId, contactId: contact!.id });
      }
      expect(senders.size).toBe(CONTACTS);
    });

    it('adds Feedback-ID, keeps List-* headers, and signs it all with DKIM', () => {
      for (const { mail, raw } of parsed) {
        expect(header(mail, 'feedback-id')).toBe(
          `Feedback-ID: ${newsletterId}:digest:newsletter.alliance.example:herald`,
        );
        expect(header(mail, 'list-unsubscribe-post')).toBe(
          'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
        );
        expect(header(mail, 'list-id')).toBe('List-ID: "Herald newsletter" <newsletter.alliance.example>');
        const result = verifyDkim(raw, publicKey);
        expect(result.reason).toBeUndefined();
        expect(result.signedHeaders).toEqual(
          expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'feedback-id']),
        );
      }
    });
  });
}
