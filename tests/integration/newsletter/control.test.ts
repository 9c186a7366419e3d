// Pause, resume and cancel in the middle of a send (slowed down by the messages-per-second limiter), and
// a contact unsubscribing while the send runs.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type TestApp } from '../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { buildServer } from '../../../src/http/server.js';
import { createNewsletter } from '../../../src/newsletter/staff-tools.js';
import { cancelSend, pauseSend, resumeSend, startSend } from '../../../src/newsletter/send-flow.js';
import { contactLinks } from '../../../src/newsletter/unsubscribe-token.js';
import { findContactByEmail } from '../../../src/store/members.js';
import { getNewsletter, listRecipients, progressOf } from '../../../src/store/newsletters.js';
import {
  contactEmail,
  countByRecipient,
  publishedItem,
  seedContacts,
  startNewsletterApp,
  TOKEN_KEY,
  waitForStatus,
} from '../../helpers/newsletter.js';

const N = 200;
let smtp: FakeSmtp;
let app: TestApp;

afterEach(async () => {
  await app?.close();
  await smtp?.close();
});

async function slowSend() {
  smtp = await startFakeSmtp();
  app = await startNewsletterApp('sqlite', smtp, { messagesPerSecond: 40 });
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

const sentCount = async (id: string) => (await progressOf(app.ctx.store.db, id)).sent;

/** Once nothing is in flight, the count of accepted messages must not move. */
async function expectStill(id: string) {
  await waitFor(
    async () => (await progressOf(app.ctx.store.db, id)).sending === 0,
    5_000,
    'in-flight messages done',
  );
  const settled = smtp.messages.length;
  await new Promise((r) => setTimeout(r, 1_200));
  expect(smtp.messages.length).toBe(settled);
  return settled;
}

describe('controlling a send in progress', () => {
  it(
    'pause stops it, resume finishes it: every contact gets exactly one message',
    { timeout: 60_000 },
    async () => {
      const id = await slowSend();
      await waitFor(async () => (await sentCount(id)) >= 30, 15_000, '30 sent');
      await pauseSend(app.ctx, id, 'test');
      expect((await getNewsletter(app.ctx.store.db, id)).status).toBe('paused');
      const atPause = await expectStill(id);
      expect(atPause).toBeLessThan(N);
      expect(
        await app.ctx.queues.get('newsletter').getJobCountByTypes('waiting', 'delayed', 'prioritized'),
      ).toBeLessThanOrEqual(1);

      await resumeSend(app.ctx, id, 'test');
      await waitFor(async () => (await sentCount(id)) >= atPause + 20, 15_000, 'progress after resume');
      await pauseSend(app.ctx, id, 'test'); // a second pause and resume
      await expectStill(id);
      await resumeSend(app.ctx, id, 'test');
      await waitForStatus(app, id, 'sent', 30_000);
      const counts = countByRecipient(smtp.messages);
      for (let i = 0; i < N; i++) expect(counts.get(contactEmail(i)) ?? 0, contactEmail(i)).toBe(1);
      expect(await progressOf(app.ctx.store.db, id)).toMatchObject({ sent: N, total: N });
    },
  );

  it('cancel stops it for good: what was not sent is cancelled, and it cannot be resumed', async () => {
    const id = await slowSend();
    await waitFor(async () => (await sentCount(id)) >= 20, 15_000, '20 sent');
    await cancelSend(app.ctx, id, 'test');
    const settled = await expectStill(id);
    const progress = await progressOf(app.ctx.store.db, id);
    expect(progress.sent).toBe(settled);
    expect(progress.cancelled).toBe(N - settled);
    await expect(resumeSend(app.ctx, id, 'test')).rejects.toThrow(
      /cannot resume a newsletter that is cancelled/,
    );
    expect(new Set(smtp.messages.map((m) => m.envelope.to[0])).size).toBe(settled);
  });

  it(
    'a contact who unsubscribes (one-click POST) while the send runs is skipped; GET alone changes nothing',
    { timeout: 60_000 },
    async () => {
      const id = await slowSend();
      await waitFor(async () => (await sentCount(id)) >= 10, 15_000, '10 sent');
      const pending = (await listRecipients(app.ctx.store.db, id, { status: 'pending', limit: 3, offset: 0 }))
        .recipients;
      expect(pending.length).toBeGreaterThanOrEqual(2);
      const [leaving, browsing] = pending;
      const server = await buildServer(app.ctx, { apiToken: 'test-token-0123456789abcdef' });
      try {
        const link = (contactId: string) =>
          new URL(
            contactLinks({ baseUrl: 'https://herald.test', key: TOKEN_KEY, contactId, newsletterId: id })
              .unsubscribeUrl,
          ).pathname;
        const look = await server.inject({ method: 'GET', url: link(browsing!.contactId) });
        expect(look.statusCode).toBe(200);
        const post = await server.inject({
          method: 'POST',
          url: link(leaving!.contactId),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'List-Unsubscribe=One-Click',
        });
        expect(post.statusCode).toBe(200);
      } finally {
        await server.close();
      }
      await waitForStatus(app, id, 'sent', 30_000);
      const counts = countByRecipient(smtp.messages);
      expect(counts.get(leaving!.email) ?? 0).toBe(0);
      expect(counts.get(browsing!.email)).toBe(1);
      expect((await findContactByEmail(app.ctx.store.db, leaving!.email))!.status).toBe('unsubscribed');
      expect((await findContactByEmail(app.ctx.store.db, browsing!.email))!.status).toBe('active');
      const row = (await listRecipients(app.ctx.store.db, id, { status: 'skipped', limit: 10, offset: 0 }))
        .recipients;
      expect(row.map((r) => r.email)).toEqual([leaving!.email]);
      expect(row[0]!.reply).toMatch(/unsubscribed/);
      expect(await progressOf(app.ctx.store.db, id)).toMatchObject({ sent: N - 1, skipped: 1 });
    },
  );
});
