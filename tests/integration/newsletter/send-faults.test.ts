// SMTP faults during a real send through the newsletter queue: temporary failures are retried and
// delivered once, a permanent refusal bounces without a retry, a dropped connection is handled by what
// was transmitted.
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp, type SmtpFaults } from '../../fakes/smtp.js';
import { createNewsletter } from '../../../src/newsletter/staff-tools.js';
import { resendUnknown, startSend } from '../../../src/newsletter/send-flow.js';
import { findContactByEmail } from '../../../src/store/members.js';
import { listRecipients, progressOf } from '../../../src/store/newsletters.js';
import {
  contactEmail,
  countByRecipient,
  parseAll,
  publishedItem,
  seedContacts,
  startNewsletterApp,
  waitForStatus,
} from '../../helpers/newsletter.js';

const N = 60;
let smtp: FakeSmtp;
let app: TestApp;

afterEach(async () => {
  await app?.close();
  await smtp?.close();
});

async function sendWith(faults: SmtpFaults, extra: Record<string, unknown> = {}) {
  smtp = await startFakeSmtp({ faults });
  app = await startNewsletterApp('sqlite', smtp, extra);
  await seedContacts(app, N);
  const newsletter = await createNewsletter(
    app.ctx,
    { kind: 'announcement', itemIds: [await publishedItem(app)] },
    'test',
  );
  app.startWorkers(['newsletter']);
  await startSend(app.ctx, newsletter.id, { actor: 'test' });
  return newsletter.id;
}

async function rowOf(id: string, email: string) {
  const { recipients } = await listRecipients(app.ctx.store.db, id, { limit: 500, offset: 0 });
  return recipients.find((r) => r.email === email)!;
}

function expectEveryoneOnce(except: string[] = []) {
  const counts = countByRecipient(smtp.messages);
  for (let i = 0; i < N; i++) {
    const email = contactEmail(i);
    expect(counts.get(email) ?? 0, email).toBe(except.includes(email) ? 0 : 1);
  }
}

describe('SMTP faults during a send', () => {
  it(
    '421 and 451: the recipients are retried later and each gets exactly one message',
    { timeout: 60_000 },
    async () => {
      const busy = [contactEmail(3), contactEmail(17)];
      const grey = [contactEmail(8), contactEmail(40)];
      const id = await sendWith({ tempFail: { recipients: busy, code: 421, times: 1 } });
      await waitForStatus(app, id, 'sent');
      expectEveryoneOnce();
      for (const email of busy) expect(smtp.attempts.get(email)).toBe(2);
      expect((await progressOf(app.ctx.store.db, id)).sent).toBe(N);

      await app.close();
      await smtp.close();
      const id2 = await sendWith({ tempFail: { recipients: grey, code: 451, times: 2 } });
      await waitForStatus(app, id2, 'sent');
      expectEveryoneOnce();
      for (const email of grey) {
        expect(smtp.attempts.get(email)).toBe(3);
        const row = await rowOf(id2, email);
        expect(row).toMatchObject({ status: 'sent', attempts: 3 });
        expect(row.reply).toMatch(/^250 /);
      }
    },
  );

  it('550 for one recipient: bounced with the reply, never retried, the contact marked bounced; the rest go on', async () => {
    const refused = contactEmail(21);
    const id = await sendWith({
      reject: {
        recipients: [refused],
        code: 550,
        message: '5.1.1 <x>: Recipient address rejected: User unknown',
      },
    });
    await waitForStatus(app, id, 'sent');
    expectEveryoneOnce([refused]);
    expect(smtp.attempts.get(refused)).toBe(1);
    const row = await rowOf(id, refused);
    expect(row.status).toBe('bounced');
    expect(row.reply).toMatch(/^550 .*User unknown/);
    expect(row.attempts).toBe(1);
    expect((await findContactByEmail(app.ctx.store.db, refused))!.status).toBe('bounced');
    expect(await progressOf(app.ctx.store.db, id)).toMatchObject({ sent: N - 1, bounced: 1 });
  });

  it('a connection dropped before the message was transmitted: sent again, once', async () => {
    const id = await sendWith({ drop: { afterMessages: 20, stage: 'rcpt' } });
    await waitForStatus(app, id, 'sent');
    expectEveryoneOnce();
    expect(smtp.dropped).toHaveLength(0);
    expect((await progressOf(app.ctx.store.db, id)).sent).toBe(N);
  });

  it('a connection dropped after the message was transmitted: held as unknown, not resent until a person decides', async () => {
    const id = await sendWith({ drop: { afterMessages: 20, stage: 'data' } });
    await waitForStatus(app, id, 'sent');
    expect(smtp.dropped).toHaveLength(1);
    const lost = smtp.dropped[0]!.envelope.to[0]!;
    expectEveryoneOnce([lost]);
    const row = await rowOf(id, lost);
    expect(row.status).toBe('unknown');
    expect(row.transmittedAt).not.toBeNull();
    expect(row.reply).toMatch(/may have accepted it/);
    expect(await progressOf(app.ctx.store.db, id)).toMatchObject({ sent: N - 1, unknown: 1 });

    // The decision: send it again, with the same Message-ID.
    const { resent } = await resendUnknown(app.ctx, id, 'test');
    expect(resent).toBe(1);
    await waitForStatus(app, id, 'sent');
    expectEveryoneOnce();
    const [first] = await parseAll(smtp.dropped);
    const [again] = await parseAll(smtp.messages.filter((m) => m.envelope.to.includes(lost)));
    expect(again!.mail.messageId).toBe(`<${id}.${row.contactId}@alliance.example>`);
    expect(again!.mail.messageId).toBe(first!.mail.messageId);
  });

  it('with unknownOutcome "resend", a message dropped after transmission is sent again by itself', async () => {
    const id = await sendWith({ drop: { afterMessages: 10, stage: 'data' } }, { unknownOutcome: 'resend' });
    await waitForStatus(app, id, 'sent');
    expect(smtp.dropped).toHaveLength(1);
    expectEveryoneOnce();
    expect((await progressOf(app.ctx.store.db, id)).unknown).toBe(0);
  });
});
