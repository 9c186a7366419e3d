// The bounce mailbox against a private Dovecot: a newsletter goes out with VERP return paths, then
// Postfix, Exim, Exchange and Gmail delivery reports, ARF complaints, an auto-reply and garbage arrive
// in the mailbox. Each ends with the right contact state, and the mailbox is left tidy: the inbox empty,
// understood messages in the processed folder, the rest in the unparsed folder with the reason kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { waitFor, type TestApp } from '../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { dovecotSkipReason, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import {
  arfComplaint,
  autoReply,
  brokenReport,
  eximDelayed,
  exchangeHard,
  garbage,
  gmailSoft,
  postfixHard,
  type Original,
} from '../../helpers/bounce-messages.js';
import {
  contactEmail,
  publishedItem,
  seedContacts,
  sendNewsletterNow,
  sentOriginals,
  startNewsletterApp,
  TOKEN_KEY,
} from '../../helpers/newsletter.js';
import { BounceMailbox } from '../../../src/newsletter/bounce-mailbox.js';
import { listFeedbackEvents, listUnparsed } from '../../../src/store/mail-feedback.js';
import { findContactByEmail } from '../../../src/store/members.js';

const BOUNCES = 'bounces@alliance.example';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip || dovecotSkipReason !== null)(`the bounce mailbox (${dialect})`, () => {
    let smtp: FakeSmtp;
    let dovecot: Dovecot;
    let app: TestApp;
    let mailbox: BounceMailbox;
    let newsletterId: string;
    let originals = new Map<string, Original>();
    const status = async (i: number) => (await findContactByEmail(app.ctx.store.db, contactEmail(i)))!.status;

    beforeAll(async () => {
      [smtp, dovecot] = await Promise.all([startFakeSmtp(), startDovecot()]);
      app = await startNewsletterApp(dialect, smtp, {
        bounceAddress: BOUNCES,
        bounceMailbox: { url: dovecot.url(), idle: false, everyMs: 3_600_000 },
      });
      await seedContacts(app, 8);
      newsletterId = await sendNewsletterNow(app, 'announcement', [await publishedItem(app, 1)]);
      originals = await sentOriginals(smtp.messages);
      mailbox = new BounceMailbox(dovecot.url(), {
        store: app.ctx.store,
        log: app.ctx.log,
        policy: app.ctx.config.newsletter.suppression,
        read: { bounceAddress: BOUNCES, tokenKeys: [TOKEN_KEY] },
      });
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await smtp?.close();
      await dovecot?.close();
    });

    it('applies each shape of report to the right contact and files every message', async () => {
      const o = (i: number) => originals.get(contactEmail(i))!;
      const messages = [
        postfixHard(o(0)),
        eximDelayed(o(1), BOUNCES),
        gmailSoft(o(1)),
        eximDelayed(o(1), BOUNCES),
        exchangeHard(contactEmail(2), BOUNCES),
        arfComplaint(o(3), { verp: true }),
        arfComplaint(o(4), { verp: false }),
        gmailSoft(o(5)),
        autoReply(contactEmail(5), BOUNCES),
        garbage(BOUNCES),
        brokenReport(BOUNCES),
      ];
      for (const raw of messages) await dovecot.append('INBOX', raw);
      expect(await mailbox.run()).toEqual({ applied: 8, ignored: 1, unparsed: 2 });

      const states = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(status));
      expect(states).toEqual([
        'bounced',
        'bounced',
        'bounced',
        'complained',
        'complained',
        'active',
        'active',
        'active',
      ]);
      const events = await listFeedbackEvents(app.ctx.store.db, { newsletterId });
      expect(events.map((e) => e.kind).sort()).toEqual([
        'complaint',
        'complaint',
        'hard',
        'soft',
        'soft',
        'soft',
        'soft',
      ]);
      const hard0 = (
        await listFeedbackEvents(app.ctx.store.db, {
          contactId: (await findContactByEmail(app.ctx.store.db, contactEmail(0)))!.id,
        })
      )[0];
      expect(hard0).toMatchObject({
        kind: 'hard',
        source: 'mailbox',
        detail: expect.stringMatching(/^5\.1\.1 smtp; 550 5\.1\.1/),
      });

      const unparsed = await listUnparsed(app.ctx.store.db);
      expect(unparsed.map((u) => u.reason).sort()).toEqual([
        'a delivery report without a message/delivery-status part',
        'not a delivery status or feedback report',
      ]);
      expect(unparsed.every((u) => u.folder === 'Herald/Unparsed')).toBe(true);
      expect(await dovecot.counts()).toMatchObject({ INBOX: 0, 'Herald/Processed': 9, 'Herald/Unparsed': 2 });
    });

    it('applies a report delivered twice once, and a second run finds nothing to do', async () => {
      const before = (await listFeedbackEvents(app.ctx.store.db, { newsletterId })).length;
      const again = (await dovecot.counts())['Herald/Processed'];
      const imap = await dovecot.imap();
      await imap.mailboxOpen('Herald/Processed');
      await imap.messageCopy('1', 'INBOX');
      await imap.mailboxClose();
      expect(await mailbox.run()).toEqual({ applied: 1, ignored: 0, unparsed: 0 });
      expect(await mailbox.run()).toEqual({ applied: 0, ignored: 0, unparsed: 0 });
      expect((await listFeedbackEvents(app.ctx.store.db, { newsletterId })).length).toBe(before);
      expect(await dovecot.counts()).toMatchObject({ INBOX: 0, 'Herald/Processed': again! + 1 });
    });

    it('with IDLE, reads a report as soon as it arrives', async () => {
      const stop = await mailbox.watch();
      try {
        await dovecot.append('INBOX', postfixHard(originals.get(contactEmail(6))!));
        await waitFor(async () => (await status(6)) === 'bounced', 20_000, 'contact 6 bounced through IDLE');
        await waitFor(async () => (await dovecot.counts()).INBOX === 0, 20_000, 'the inbox emptied');
      } finally {
        await stop();
      }
    });

    it('the newsletter worker reads the mailbox when its scheduled job runs', async () => {
      await dovecot.append('INBOX', postfixHard(originals.get(contactEmail(7))!));
      await app.ctx.queues.get('newsletter').add('bounces', { task: 'bounces' });
      await waitFor(
        async () => (await status(7)) === 'bounced',
        20_000,
        'contact 7 bounced through the scheduled job',
      );
    });
  });
}
