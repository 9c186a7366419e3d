// End to end: a newsletter goes out through the SMTP test server with VERP return paths; some
// recipients bounce or complain through the bounce mailbox (a private Dovecot), others through provider
// webhooks; the next newsletter goes exactly to the contacts still reachable.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import type { TestApp } from '../../helpers/app.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { dovecotSkipReason, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { arfComplaint, gmailSoft, postfixHard } from '../../helpers/bounce-messages.js';
import { signedMailgunCall } from '../../helpers/mail-hooks.js';
import { parseExposition, sum } from '../../helpers/prometheus.js';
import {
  contactEmail,
  publishedItem,
  seedContacts,
  sendNewsletterNow,
  sentOriginals,
  startNewsletterApp,
} from '../../helpers/newsletter.js';
import { buildServer } from '../../../src/http/server.js';
import { configuredBounceMailbox } from '../../../src/newsletter/bounce-mailbox.js';

const BOUNCES = 'bounces@alliance.example';
const MAILGUN_KEY = 'mailgun-signing-key-for-the-e2e-test';
const BREVO_TOKEN = 'brevo-token-for-the-end-to-end-test-0001';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip || dovecotSkipReason !== null)(
    `bounces and complaints end to end (${dialect})`,
    () => {
      let smtp: FakeSmtp;
      let dovecot: Dovecot;
      let app: TestApp;
      let http: FastifyInstance;

      beforeAll(async () => {
        [smtp, dovecot] = await Promise.all([startFakeSmtp(), startDovecot()]);
        app = await startNewsletterApp(dialect, smtp, {
          bounceAddress: BOUNCES,
          bounceMailbox: { url: dovecot.url(), idle: false, everyMs: 3_600_000 },
          webhooks: { mailgunSigningKey: MAILGUN_KEY, brevoToken: BREVO_TOKEN },
        });
        http = await buildServer(app.ctx, { apiToken: 'test-token-0123456789abcdef' });
        await seedContacts(app, 10);
      }, 60_000);
      afterAll(async () => {
        await http?.close();
        await app?.close();
        await smtp?.close();
        await dovecot?.close();
      });

      it('the next newsletter skips exactly the bounced, complained and unsubscribed contacts', async () => {
        const firstId = await sendNewsletterNow(app, 'announcement', [await publishedItem(app, 1)]);
        expect(smtp.messages).toHaveLength(10);
        const originals = await sentOriginals(smtp.messages);
        const original = (i: number) => originals.get(contactEmail(i))!;

        // Through the mailbox: a hard bounce, a complaint, one soft bounce (not enough to suppress).
        for (const raw of [
          postfixHard(original(0)),
          arfComplaint(original(1), { verp: false }),
          gmailSoft(original(5)),
        ])
          await dovecot.append('INBOX', raw);
        expect(await configuredBounceMailbox(app.ctx)!.run()).toEqual({
          applied: 3,
          ignored: 0,
          unparsed: 0,
        });
        // Through webhooks: a Mailgun permanent failure (found by our Message-ID), a Brevo unsubscription.
        const mailgun = signedMailgunCall(
          {
            id: 'e2e-1',
            event: 'failed',
            severity: 'permanent',
            recipient: contactEmail(2),
            message: { headers: { 'message-id': original(2).messageId.replace(/^<|>$/g, '') } },
          },
          MAILGUN_KEY,
        );
        expect(
          (await http.inject({ method: 'POST', url: '/api/hooks/mail/mailgun', ...mailgun })).json(),
        ).toMatchObject({ applied: 1 });
        const brevo = JSON.stringify({
          event: 'unsubscribed',
          email: contactEmail(3),
          'message-id': original(3).messageId,
          ts_event: 1,
        });
        expect(
          (
            await http.inject({
              method: 'POST',
              url: '/api/hooks/mail/brevo',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${BREVO_TOKEN}` },
              payload: brevo,
            })
          ).json(),
        ).toMatchObject({ applied: 1 });

        // The first newsletter's page figures: 2 hard bounces, 1 soft, 1 complaint (10%: the alarm), 1 unsubscription.
        const shown = await http.inject({
          method: 'GET',
          url: `/api/newsletters/${firstId}`,
          headers: { authorization: 'Bearer test-token-0123456789abcdef' },
        });
        expect(shown.json()).toMatchObject({
          feedback: {
            delivered: 8,
            bounced: { hard: 2, soft: 1 },
            complained: 1,
            unsubscribed: 1,
            complaintLevel: 'alarm',
          },
          unparsedReports: [],
        });

        // Metrics read the same tables.
        const exposition = parseExposition(await app.ctx.metrics.registry.metrics());
        expect([
          sum(exposition, 'herald_mail_feedback_events', { kind: 'hard' }),
          sum(exposition, 'herald_mail_feedback_events', { kind: 'complaint', source: 'mailbox' }),
        ]).toEqual([2, 1]);
        expect(sum(exposition, 'herald_mail_suppressions')).toBe(3);

        smtp.messages.length = 0;
        await sendNewsletterNow(app, 'announcement', [await publishedItem(app, 2)]);
        const reached = smtp.messages.map((m) => m.envelope.to[0]).sort();
        expect(reached).toEqual([4, 5, 6, 7, 8, 9].map(contactEmail).sort());
      });
    },
  );
}
