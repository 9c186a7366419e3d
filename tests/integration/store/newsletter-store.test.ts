// Member and newsletter repositories on SQLite and PostgreSQL: the CSV import (atomic, create or update
// by email, duplicates merged, every bad row reported), search, eligibility, the one-statement claim.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, type TestApp } from '../../helpers/app.js';
import { createItem } from '../../../src/app/items.js';
import { importContacts } from '../../../src/store/member-import.js';
import {
  eligibleContacts,
  findContactByEmail,
  listAuthorities,
  listContacts,
  setContactStatus,
  updateContact,
} from '../../../src/store/members.js';
import {
  claimRecipient,
  insertNewsletter,
  insertRecipients,
  markTransmitting,
  progressOf,
  recordOutcome,
  transitionNewsletter,
} from '../../../src/store/newsletters.js';

const CSV = [
  'authority,country,name,email,language,region_type,announcements,digest',
  'Lyon,FR,Anne Martin,Anne.Martin@Lyon.FR,fr,city,yes,no',
  'Lyon,fr,Paul Durand,paul@lyon.fr,fr-BE,,,',
  'Ghent,BE,,not-an-email,nl,,,',
  'Ghent,BE,Piet,piet@gent.be,xx,,,',
  'Lyon,FR,,anne.martin@lyon.fr,fr,,,', // duplicate of line 2: merged
  'Porto,PT,Rui,rui@porto.pt,pt,region,maybe,',
  'Ghent,BE,Piet,piet@stad.gent,nl,,,',
  'Lyon,FR,Paul D.,PAUL@lyon.fr,fr,,,', // duplicate of line 3 with a different name and language: rejected
].join('\n');

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`member and newsletter store (${dialect})`, () => {
    let app: TestApp;
    beforeEach(async () => {
      app = await startTestApp(dialect);
    });
    afterEach(async () => app?.close());

    it('imports the valid rows, reports every rejected one with its line and reason, merges duplicates', async () => {
      const report = await importContacts(app.ctx.store, CSV, { actor: 'test' });
      expect(report).toMatchObject({ rows: 8, created: 3, updated: 0, authoritiesCreated: 2, applied: true });
      expect(report.rejected.map((r) => [r.line, r.reason])).toEqual([
        [4, 'invalid email "not-an-email"'],
        [5, 'unknown language "xx"'],
        [7, 'must be yes or no, not "maybe"'],
        [9, 'duplicate of line 3 with a different language; duplicate of line 3 with a different name'],
      ]);
      expect(report.notes.some((n) => n.line === 6 && /merged/.test(n.message))).toBe(true);
      const anne = await findContactByEmail(app.ctx.store.db, 'anne.martin@lyon.fr');
      expect(anne).toMatchObject({
        email: 'Anne.Martin@lyon.fr',
        name: 'Anne Martin',
        language: 'fr',
        status: 'active',
        subscriptions: { announcements: true, digest: false },
      });
      expect(await findContactByEmail(app.ctx.store.db, 'paul@lyon.fr')).toMatchObject({
        language: 'fr-BE',
        subscriptions: { announcements: true, digest: true },
      });
      const { authorities } = await listAuthorities(app.ctx.store.db, { limit: 10, offset: 0 });
      expect(authorities.map((a) => [a.name, a.country, a.contacts])).toEqual([
        ['Ghent', 'BE', 1],
        ['Lyon', 'FR', 2],
      ]);
    });

    it('a second import updates by email (whatever the case), counts what did not change, never touches a status', async () => {
      await importContacts(app.ctx.store, CSV, { actor: 'test' });
      const anne = (await findContactByEmail(app.ctx.store.db, 'anne.martin@lyon.fr'))!;
      await setContactStatus(app.ctx.store.db, anne.id, 'unsubscribed', 'test');
      const again = [
        'authority,country,name,email,language,digest',
        'Lyon,FR,Anne Martin,ANNE.MARTIN@lyon.fr,en,yes',
        'Ghent,BE,Piet,piet@stad.gent,nl,',
        'Porto,PT,Rui,rui@porto.pt,pt,',
      ].join('\n');
      const report = await importContacts(app.ctx.store, again, { actor: 'test' });
      expect(report).toMatchObject({ created: 1, updated: 1, unchanged: 1, authoritiesCreated: 1 });
      expect(await findContactByEmail(app.ctx.store.db, 'anne.martin@lyon.fr')).toMatchObject({
        id: anne.id,
        language: 'en',
        status: 'unsubscribed',
        subscriptions: { announcements: true, digest: true },
      });
    });

    it('strict and dry-run imports write nothing', async () => {
      const strict = await importContacts(app.ctx.store, CSV, { actor: 'test', strict: true });
      expect(strict).toMatchObject({ applied: false, created: 3 });
      const dry = await importContacts(
        app.ctx.store,
        'authority,country,name,email,language\nLyon,FR,A,a@lyon.fr,fr\n',
        { actor: 'test', dryRun: true },
      );
      expect(dry).toMatchObject({ applied: false, created: 1 });
      expect((await listContacts(app.ctx.store.db, { limit: 10, offset: 0 })).total).toBe(0);
      expect((await listAuthorities(app.ctx.store.db, { limit: 10, offset: 0 })).total).toBe(0);
    });

    it('searches contacts by name, email or authority; % and _ are literal', async () => {
      await importContacts(app.ctx.store, CSV, { actor: 'test' });
      const names = async (q: string) =>
        (await listContacts(app.ctx.store.db, { q, limit: 10, offset: 0 })).contacts
          .map((c) => c.email)
          .sort();
      expect(await names('LYON')).toEqual(['Anne.Martin@lyon.fr', 'paul@lyon.fr']);
      expect(await names('piet')).toEqual(['piet@stad.gent']);
      expect(await names('gent')).toEqual(['piet@stad.gent']);
      expect(await names('%')).toEqual([]);
      expect(await names('_')).toEqual([]);
    });

    it('eligible contacts: active and subscribed to the kind', async () => {
      await importContacts(app.ctx.store, CSV, { actor: 'test' });
      const paul = (await findContactByEmail(app.ctx.store.db, 'paul@lyon.fr'))!;
      const piet = (await findContactByEmail(app.ctx.store.db, 'piet@stad.gent'))!;
      await setContactStatus(app.ctx.store.db, piet.id, 'bounced', '550');
      await updateContact(app.ctx.store.db, paul.id, { subscriptions: { announcements: false } });
      expect((await eligibleContacts(app.ctx.store.db, 'announcement')).map((a) => a.email)).toEqual([
        'Anne.Martin@lyon.fr',
      ]);
      expect(
        (await eligibleContacts(app.ctx.store.db, 'digest')).map((a) => [a.email, a.authorityName]),
      ).toEqual([['paul@lyon.fr', 'Lyon']]);
    });

    it('a recipient row is claimed by one worker only, only while its newsletter is sending, and outcomes need the claim', async () => {
      await importContacts(app.ctx.store, CSV, { actor: 'test' });
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      const { newsletter } = await insertNewsletter(app.ctx.store.db, {
        kind: 'digest',
        itemIds: [item.id],
        source: 'staff',
        createdBy: 'test',
      });
      await insertRecipients(
        app.ctx.store.db,
        newsletter.id,
        await eligibleContacts(app.ctx.store.db, 'digest'),
      );
      await insertRecipients(
        app.ctx.store.db,
        newsletter.id,
        await eligibleContacts(app.ctx.store.db, 'digest'),
      ); // idempotent
      const rows = await app.ctx.store.db.selectFrom('newsletterRecipients').select('id').execute();
      expect(rows).toHaveLength(2);
      const id = rows[0]!.id;
      expect(await claimRecipient(app.ctx.store.db, id)).toBeNull(); // still a draft
      await transitionNewsletter(app.ctx.store.db, newsletter.id, ['draft'], { status: 'sending' });
      const claims = await Promise.all(Array.from({ length: 8 }, () => claimRecipient(app.ctx.store.db, id)));
      const won = claims.filter((c) => c !== null);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ status: 'sending', attempts: 1 });
      const claimedAt = won[0]!.claimedAt!;
      expect(await markTransmitting(app.ctx.store.db, id, 'another-claim')).toBe(false);
      expect(await markTransmitting(app.ctx.store.db, id, claimedAt)).toBe(true);
      expect(await recordOutcome(app.ctx.store.db, id, 'another-claim', { status: 'sent' })).toBe(false);
      expect(await recordOutcome(app.ctx.store.db, id, claimedAt, { status: 'sent', reply: '250 ok' })).toBe(
        true,
      );
      expect(await recordOutcome(app.ctx.store.db, id, claimedAt, { status: 'failed' })).toBe(false);
      expect(await progressOf(app.ctx.store.db, newsletter.id)).toMatchObject({
        total: 2,
        sent: 1,
        pending: 1,
      });
      await transitionNewsletter(app.ctx.store.db, newsletter.id, ['sending'], { status: 'paused' });
      expect(await claimRecipient(app.ctx.store.db, rows[1]!.id)).toBeNull();
    });
  });
}
