// Feedback applied to contacts on SQLite and PostgreSQL: each provider event once, hard bounces and
// complaints suppress at once, soft bounces on the third in the window, a complaint sticks, and a
// suppressed address cannot come back through an import or a staff edit without the reason being given.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { createContact, editContact } from '../../../src/app/members.js';
import { applyFeedback } from '../../../src/newsletter/feedback.js';
import { listAudit } from '../../../src/store/audit.js';
import { listFeedbackEvents, suppressionOfAddress } from '../../../src/store/mail-feedback.js';
import { importContacts } from '../../../src/store/member-import.js';
import { findContactByEmail } from '../../../src/store/members.js';
import {
  DEFAULT_SUPPRESSION_POLICY as POLICY,
  type FeedbackKind,
  type FeedbackSource,
} from '../../../src/domain/mail-feedback.js';

const CSV = [
  'authority,country,name,email,language',
  'Lyon,FR,Anne,anne@lyon.fr,fr',
  'Lyon,FR,Paul,paul@lyon.fr,fr',
  'Porto,PT,Rui,rui@porto.pt,pt',
].join('\n');
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`mail feedback policy (${dialect})`, () => {
    let app: TestApp;
    const contact = async (email: string) => (await findContactByEmail(app.ctx.store.db, email))!;
    const feed = (
      kind: FeedbackKind,
      source: FeedbackSource,
      eventId: string,
      who: { email: string } | { contactId: string },
      detail: string,
    ) => applyFeedback(app.ctx.store, POLICY, { kind, source, eventId, ...who, detail });
    beforeEach(async () => {
      app = await startTestApp(dialect);
      await importContacts(app.ctx.store, CSV, { actor: 'test' });
    });
    afterEach(async () => app?.close());

    it('suppresses a hard bounce at once, records it once, on the timeline and in the audit log', async () => {
      const anne = await contact('anne@lyon.fr');
      const report = {
        kind: 'hard',
        source: 'mailgun',
        eventId: 'evt-1',
        contactId: anne.id,
        detail: '550 5.1.1 no such user',
      } as const;
      expect(await applyFeedback(app.ctx.store, POLICY, report)).toMatchObject({
        outcome: 'applied',
        status: 'bounced',
        suppressed: true,
      });
      expect(await applyFeedback(app.ctx.store, POLICY, report)).toEqual({ outcome: 'duplicate' });
      expect((await contact('anne@lyon.fr')).status).toBe('bounced');
      expect(await suppressionOfAddress(app.ctx.store.db, 'ANNE@lyon.fr')).toMatchObject({
        reason: 'hard',
        source: 'mailgun',
      });
      expect(await listFeedbackEvents(app.ctx.store.db, { contactId: anne.id })).toEqual([
        expect.objectContaining({ kind: 'hard', source: 'mailgun', detail: '550 5.1.1 no such user' }),
      ]);
      expect((await listAudit(app.ctx.store.db, 'contact', anne.id)).map((e) => [e.actor, e.action])).toEqual(
        [['mailgun', 'mail_hard']],
      );
      // The same id from another provider is another event.
      expect(await applyFeedback(app.ctx.store, POLICY, { ...report, source: 'brevo' })).toMatchObject({
        outcome: 'applied',
        status: null,
      });
    });

    it('suppresses on the third soft bounce within 15 days; older ones do not count', async () => {
      const paul = await contact('paul@lyon.fr');
      const soft = (id: string, occurredAt: string) =>
        applyFeedback(app.ctx.store, POLICY, {
          kind: 'soft',
          source: 'mailbox',
          eventId: id,
          email: 'paul@lyon.fr',
          detail: '452 4.2.2 mailbox full',
          occurredAt,
        });
      await soft('s1', daysAgo(20));
      await soft('s2', daysAgo(10));
      expect(await soft('s3', daysAgo(1))).toMatchObject({ status: null, suppressed: false });
      expect((await contact('paul@lyon.fr')).status).toBe('active');
      expect(await suppressionOfAddress(app.ctx.store.db, 'paul@lyon.fr')).toBeNull();
      expect(await soft('s4', daysAgo(0))).toMatchObject({
        contactId: paul.id,
        status: 'bounced',
        suppressed: true,
      });
      expect(await suppressionOfAddress(app.ctx.store.db, 'paul@lyon.fr')).toMatchObject({ reason: 'soft' });
    });

    it('keeps a complaint: staff cannot reactivate it, an unsubscription does not soften it', async () => {
      const rui = await contact('rui@porto.pt');
      await feed('complaint', 'ses', 'c1', { email: 'rui@porto.pt' }, 'abuse');
      await feed('unsubscribe', 'ses', 'u1', { email: 'rui@porto.pt' }, 'list-unsubscribe');
      expect((await contact('rui@porto.pt')).status).toBe('complained');
      await expect(editContact(app.ctx.store, rui.id, { status: 'active' }, 'staff')).rejects.toMatchObject({
        code: 'complained_by_contact',
      });
      expect(await suppressionOfAddress(app.ctx.store.db, 'rui@porto.pt')).toMatchObject({
        reason: 'complaint',
      });
    });

    it('clearing a bounce lifts the suppression; a complaint outranks a later bounce', async () => {
      const anne = await contact('anne@lyon.fr');
      await feed('hard', 'smtp', 'h1', { contactId: anne.id }, '550');
      await editContact(app.ctx.store, anne.id, { status: 'active' }, 'staff');
      expect(await suppressionOfAddress(app.ctx.store.db, 'anne@lyon.fr')).toBeNull();
      await feed('complaint', 'mailbox', 'c1', { contactId: anne.id }, 'abuse');
      await feed('hard', 'mailbox', 'h2', { contactId: anne.id }, '550');
      expect(await suppressionOfAddress(app.ctx.store.db, 'anne@lyon.fr')).toMatchObject({
        reason: 'complaint',
      });
      expect((await contact('anne@lyon.fr')).status).toBe('complained');
    });

    it('refuses a suppressed address in a re-import and in a staff edit, saying why', async () => {
      const anne = await contact('anne@lyon.fr');
      const paul = await contact('paul@lyon.fr');
      await feed('hard', 'postmark', 'h1', { contactId: anne.id }, '550 5.1.1');
      await feed('complaint', 'postmark', 'c1', { contactId: paul.id }, 'abuse');
      await app.ctx.store.db.deleteFrom('contacts').where('id', '=', anne.id).execute(); // the row gone, the address still suppressed
      const report = await importContacts(app.ctx.store, CSV, { actor: 'test' });
      expect(report).toMatchObject({ created: 0, applied: true });
      expect(report.rejected).toEqual([
        expect.objectContaining({
          line: 2,
          email: 'anne@lyon.fr',
          reason: expect.stringMatching(/^suppressed: the address bounced permanently/),
        }),
      ]);
      expect(report.notes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            line: 3,
            message: expect.stringMatching(/paul@lyon.fr stays complained/),
          }),
        ]),
      );
      expect(await findContactByEmail(app.ctx.store.db, 'anne@lyon.fr')).toBeNull();
      const lyon = paul.authorityId;
      await expect(
        createContact(app.ctx.store, { authorityId: lyon, email: 'Anne@Lyon.fr', language: 'fr' }, 'staff'),
      ).rejects.toMatchObject({ code: 'address_suppressed' });
      const rui = await contact('rui@porto.pt');
      await expect(
        editContact(app.ctx.store, rui.id, { email: 'anne@lyon.fr' }, 'staff'),
      ).rejects.toMatchObject({ code: 'address_suppressed' });
    });
  });
}
