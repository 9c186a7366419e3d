// A newsletter worker process SIGKILLed in the middle of a send, then restarted: nothing the server
// accepted is sent again, nobody is skipped. The fake SMTP server hangs at a chosen stage so the kill
// lands at a known point: before the in-flight messages were transmitted, or while they were.
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { waitFor, type TestApp } from '../../helpers/app.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { createNewsletter } from '../../../src/newsletter/staff-tools.js';
import { resendUnknown, startSend } from '../../../src/newsletter/send-flow.js';
import { progressOf } from '../../../src/store/newsletters.js';
import {
  contactEmail,
  countByRecipient,
  publishedItem,
  seedContacts,
  startNewsletterApp,
  TOKEN_KEY,
  waitForStatus,
} from '../../helpers/newsletter.js';

const N = 150;

function workerEnv(app: TestApp, smtp: FakeSmtp): NodeJS.ProcessEnv {
  return {
    ...app.childEnv(),
    HERALD_PUBLIC_URL: 'https://herald.test',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Alliance of Cities <news@alliance.example>',
    HERALD_NEWSLETTER_TOKEN_KEYS: TOKEN_KEY,
    HERALD_NEWSLETTER_POSTAL_ADDRESS: 'Rue de la Loi 1, 1000 Brussels',
    HERALD_NEWSLETTER_POOL_SIZE: '3',
    HERALD_NEWSLETTER_CONCURRENCY: '6',
    HERALD_NEWSLETTER_RATE: '5000',
    HERALD_NEWSLETTER_RETRY_BACKOFF_MS: '150',
    HERALD_DIGEST_ENABLED: 'false',
  };
}

const rows = (app: TestApp, id: string) =>
  app.ctx.store.db
    .selectFrom('newsletterRecipients')
    .select(['email', 'status', 'attempts', 'transmittedAt'])
    .where('newsletterId', '=', id)
    .execute();

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`a newsletter worker killed mid-send (${dialect})`, () => {
    let smtp: FakeSmtp;
    let app: TestApp;
    afterEach(async () => {
      await app?.close();
      await smtp?.close();
    });

    async function prepare(stage: 'rcpt' | 'data', afterMessages: number) {
      smtp = await startFakeSmtp({ faults: { stall: { afterMessages, stage } } });
      app = await startNewsletterApp(dialect, smtp, {}, { delivery: { lockMs: 2_000 } });
      await seedContacts(app, N);
      const newsletter = await createNewsletter(
        app.ctx,
        { kind: 'announcement', itemIds: [await publishedItem(app)] },
        'test',
      );
      await startSend(app.ctx, newsletter.id, { actor: 'test' });
      return newsletter.id;
    }

    /**
     * Kills the worker once the server hangs: every message it accepted is recorded, others are in
     * flight. (With several connections a few messages may pass RCPT TO just before the stall.)
     */
    async function killWhenStuck(id: string, accepted: number) {
      const first = spawnHerald(['worker', 'newsletter'], workerEnv(app, smtp));
      let last = '';
      try {
        await waitFor(
          async () => {
            const r = await rows(app, id);
            const state = `${smtp.messages.length}/${r.filter((x) => x.status === 'sent').length}/${r.filter((x) => x.status === 'sending').length}`;
            const settled =
              smtp.messages.length >= accepted &&
              r.filter((x) => x.status === 'sent').length === smtp.messages.length &&
              r.some((x) => x.status === 'sending');
            const stable = settled && state === last;
            last = state;
            if (!stable) await new Promise((resolve) => setTimeout(resolve, 250));
            return stable;
          },
          60_000,
          `${accepted} messages accepted and recorded, others in flight`,
        );
      } catch (error) {
        first.kill('SIGKILL');
        throw new Error(`${(error as Error).message}\n${first.output()}`);
      }
      first.kill('SIGKILL');
      await waitForExit(first);
      smtp.setFaults({});
    }

    async function restart(id: string, until: () => Promise<unknown>) {
      const second = spawnHerald(['worker', 'newsletter'], workerEnv(app, smtp));
      try {
        await waitForStatus(app, id, 'sent', 60_000);
        await until();
      } finally {
        second.kill('SIGTERM');
        await waitForExit(second);
      }
    }

    it(
      'killed while messages waited for the server (nothing of them transmitted): they are sent after the restart, each contact exactly once',
      { timeout: 120_000 },
      async () => {
        const id = await prepare('rcpt', 60);
        await killWhenStuck(id, 60);
        const acceptedBeforeKill = smtp.messages.length;
        const inFlight = (await rows(app, id)).filter((r) => r.status === 'sending');
        expect(inFlight.length).toBeGreaterThan(0);
        expect(inFlight.every((r) => r.transmittedAt === null)).toBe(true);

        await restart(id, async () => undefined);
        const counts = countByRecipient(smtp.messages);
        for (let i = 0; i < N; i++) expect(counts.get(contactEmail(i)) ?? 0, contactEmail(i)).toBe(1);
        expect(smtp.messages).toHaveLength(N);
        expect(await progressOf(app.ctx.store.db, id)).toMatchObject({ sent: N, unknown: 0 });
        const retried = (await rows(app, id)).filter((r) => inFlight.some((f) => f.email === r.email));
        expect(retried.every((r) => r.attempts >= 2)).toBe(true);
        expect(acceptedBeforeKill).toBeLessThan(N);
      },
    );

    it(
      'killed while messages were being transmitted: those are held as unknown (never resent blindly), the rest are sent; "resend unknown" completes it',
      { timeout: 120_000 },
      async () => {
        const id = await prepare('data', 40);
        await killWhenStuck(id, 40);
        const before = await rows(app, id);
        const transmitting = before.filter((r) => r.status === 'sending' && r.transmittedAt !== null);
        expect(transmitting.length).toBeGreaterThan(0);

        await restart(id, async () => {
          const progress = await progressOf(app.ctx.store.db, id);
          expect(progress.unknown).toBe(transmitting.length);
          expect(progress.sent).toBe(N - transmitting.length);
          // The server never accepted the held messages (their connection died): those contacts got nothing yet.
          await waitFor(
            async () => smtp.dropped.length === transmitting.length,
            5_000,
            'held messages dropped',
          );
          const counts = countByRecipient(smtp.messages);
          for (const r of transmitting) expect(counts.get(r.email) ?? 0).toBe(0);

          const { resent } = await resendUnknown(app.ctx, id, 'test');
          expect(resent).toBe(transmitting.length);
          await waitFor(
            async () => (await progressOf(app.ctx.store.db, id)).sent === N,
            30_000,
            'the unknown ones sent again',
          );
        });
        const counts = countByRecipient(smtp.messages);
        for (let i = 0; i < N; i++) expect(counts.get(contactEmail(i)) ?? 0, contactEmail(i)).toBe(1);
        expect(await progressOf(app.ctx.store.db, id)).toMatchObject({ sent: N, unknown: 0 });
      },
    );
  });
}
