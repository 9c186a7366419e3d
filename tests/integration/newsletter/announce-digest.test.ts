// Newsletters Herald makes by itself: the announcement of an item published with "announce", and the
// digest fired by its BullMQ job scheduler (cron + time zone).
import { afterEach, describe, expect, it } from 'vitest';
import { sampleItem, waitFor, type TestApp } from '../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { createItem, editItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';
import { DIGEST_SCHEDULER } from '../../../src/queues/schedulers.js';
import { runDigest } from '../../../src/newsletter/digest.js';
import { findContactByEmail, updateContact } from '../../../src/store/members.js';
import { listDeliveriesForItem } from '../../../src/store/deliveries.js';
import {
  contactEmail,
  countByRecipient,
  parseAll,
  seedContacts,
  startNewsletterApp,
  waitForStatus,
} from '../../helpers/newsletter.js';

const N = 20;
let smtp: FakeSmtp;
let app: TestApp;

afterEach(async () => {
  await app?.close();
  await smtp?.close();
});

const newsletters = () =>
  app.ctx.store.db.selectFrom('newsletters').selectAll().orderBy('createdAt').execute();

async function optOut(i: number, subscription: 'announcements' | 'digest') {
  const contact = (await findContactByEmail(app.ctx.store.db, contactEmail(i)))!;
  await updateContact(app.ctx.store.db, contact.id, { subscriptions: { [subscription]: false } });
}

describe('announcements', () => {
  it(
    'publishing an item with "announce" sends one announcement to the contacts subscribed to announcements, once',
    { timeout: 60_000 },
    async () => {
      smtp = await startFakeSmtp();
      app = await startNewsletterApp('sqlite', smtp);
      await seedContacts(app, N);
      await optOut(4, 'announcements');
      app.startWorkers(['newsletter']);
      const item = await createItem(app.ctx.store, sampleItem(7), 'test');
      const outcome = await requestPublish(app.ctx, item.id, { announce: true, actor: 'test' });
      expect(outcome.deliveries.filter((d) => d.kind === 'newsletter')).toMatchObject([
        { target: 'announce', action: 'create' },
      ]);

      await waitFor(async () => (await newsletters())[0]?.status === 'sent', 20_000, 'announcement sent');
      const [announcement] = await newsletters();
      expect(announcement).toMatchObject({
        kind: 'announcement',
        source: 'announce',
        recipientsTotal: N - 1,
      });
      expect(JSON.parse(announcement!.itemIds)).toEqual([item.id]);
      const counts = countByRecipient(smtp.messages);
      for (let i = 0; i < N; i++)
        expect(counts.get(contactEmail(i)) ?? 0, contactEmail(i)).toBe(i === 4 ? 0 : 1);
      const [mail] = await parseAll(smtp.messages.slice(0, 1));
      expect(mail!.mail.subject).toMatch(/Conference report 7/);
      const delivery = (await listDeliveriesForItem(app.ctx.store.db, item.id)).find(
        (d) => d.kind === 'newsletter',
      )!;
      expect(delivery, delivery.lastError ?? '').toMatchObject({
        status: 'done',
        remoteId: announcement!.id,
      });

      // A new revision published again does not announce twice; an item published without "announce" is not announced.
      await editItem(app.ctx.store, item.id, { title: 'Conference report 7, corrected' }, 'test');
      await requestPublish(app.ctx, item.id, { announce: true, actor: 'test' });
      const other = await createItem(app.ctx.store, sampleItem(8), 'test');
      await requestPublish(app.ctx, other.id, { actor: 'test' });
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await newsletters()).toHaveLength(1);
      expect(smtp.messages).toHaveLength(N - 1);
    },
  );
});

describe('digests', () => {
  it(
    'the scheduler sends nothing while nothing is published, then one digest of what was published since',
    { timeout: 60_000 },
    async () => {
      smtp = await startFakeSmtp();
      app = await startNewsletterApp('sqlite', smtp, {
        digest: { enabled: true, cron: '*/2 * * * * *', timezone: 'Europe/Paris' },
      });
      await seedContacts(app, N);
      await optOut(7, 'digest');
      const before = await createItem(app.ctx.store, sampleItem(1), 'test');
      await requestPublish(app.ctx, before.id, { actor: 'test' }); // published before digests were switched on
      app.startWorkers(['newsletter']);
      await waitFor(
        async () => (await app.ctx.queues.get('newsletter').getJobScheduler(DIGEST_SCHEDULER)) ?? null,
        10_000,
        'digest scheduler installed',
      );
      const scheduler = await app.ctx.queues.get('newsletter').getJobScheduler(DIGEST_SCHEDULER);
      expect(scheduler).toMatchObject({ pattern: '*/2 * * * * *', tz: 'Europe/Paris' });

      await new Promise((r) => setTimeout(r, 4_500)); // two runs with nothing new
      expect(await newsletters()).toHaveLength(0);
      expect(smtp.messages).toHaveLength(0);

      const ids: string[] = [];
      for (const n of [2, 3]) {
        const item = await createItem(app.ctx.store, sampleItem(n), 'test');
        await requestPublish(app.ctx, item.id, { actor: 'test' });
        ids.push(item.id);
      }
      await waitFor(async () => (await newsletters())[0]?.status === 'sent', 20_000, 'digest sent');
      await new Promise((r) => setTimeout(r, 4_500)); // later runs: nothing new since
      const all = await newsletters();
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ kind: 'digest', source: 'digest', recipientsTotal: N - 1 });
      expect(JSON.parse(all[0]!.itemIds)).toEqual(ids);
      expect(smtp.messages).toHaveLength(N - 1);
      const [mail] = await parseAll(smtp.messages.slice(0, 1));
      expect(mail!.mail.text).toMatch(/Conference report 2/);
      expect(mail!.mail.text).toMatch(/Conference report 3/);
      expect(mail!.mail.text).not.toMatch(/Conference report 1:/);
    },
  );

  it('runDigest: nothing published -> no newsletter; a second run of the same window makes no second digest', async () => {
    smtp = await startFakeSmtp();
    app = await startNewsletterApp('sqlite', smtp);
    await seedContacts(app, 3);
    expect((await runDigest(app.ctx)).newsletter).toBeNull();
    const item = await createItem(app.ctx.store, sampleItem(4), 'test');
    await requestPublish(app.ctx, item.id, { actor: 'test' });
    const first = await runDigest(app.ctx);
    expect(first.newsletter).not.toBeNull();
    expect(first.items).toBe(1);
    await waitForStatus(app, first.newsletter!.id, 'sending', 5_000).catch(() => undefined);
    const second = await runDigest(app.ctx);
    expect(second.newsletter).toBeNull();
    expect(await newsletters()).toHaveLength(1);
  });
});
