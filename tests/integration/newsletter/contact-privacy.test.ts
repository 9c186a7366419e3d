// GDPR on SQLite and PostgreSQL, through the API: the export holds everything kept about a contact;
// erasure leaves the address, the name and the history in no table (only the erasure's own audit entry
// names the contact's id), keeps the newsletter's counts, and a re-import of the address is refused
// with the reason.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, type TestApp } from '../../helpers/app.js';
import { buildServer } from '../../../src/http/server.js';
import { createItem } from '../../../src/app/items.js';
import { applyFeedback } from '../../../src/newsletter/feedback.js';
import { DEFAULT_SUPPRESSION_POLICY } from '../../../src/domain/mail-feedback.js';
import { feedbackCounts, suppressionOfAddress } from '../../../src/store/mail-feedback.js';
import { importContacts } from '../../../src/store/member-import.js';
import { eligibleContacts, findContactByEmail } from '../../../src/store/members.js';
import { insertNewsletter, insertRecipients } from '../../../src/store/newsletters.js';

const TOKEN = 'test-token-0123456789abcdef';
const CSV = [
  'authority,country,name,email,language',
  'Lyon,FR,Anne Quelquepart,Anne.Q@lyon.fr,fr',
  'Lyon,FR,Paul,paul@lyon.fr,fr',
].join('\n');

/** Every row of every table, as JSON text (lowercased), by table. */
async function everyRow(app: TestApp): Promise<Map<string, string[]>> {
  const db = app.ctx.store.db;
  const tables = (await db.introspection.getTables()).map((t) => t.name);
  const out = new Map<string, string[]>();
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    out.set(
      table,
      rows.map((r) => JSON.stringify(r).toLowerCase()),
    );
  }
  return out;
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`contact export and erasure (${dialect})`, () => {
    let app: TestApp;
    let http: FastifyInstance;
    const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      http.inject({
        method,
        url,
        headers: { authorization: `Bearer ${TOKEN}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    beforeEach(async () => {
      app = await startTestApp(dialect);
      http = await buildServer(app.ctx, { apiToken: TOKEN });
      await importContacts(app.ctx.store, CSV, { actor: 'test' });
    });
    afterEach(async () => {
      await http?.close();
      await app?.close();
    });

    async function sentAndBounced(): Promise<{ contactId: string; newsletterId: string }> {
      const db = app.ctx.store.db;
      const item = await createItem(app.ctx.store, sampleItem(1), 'test');
      const { newsletter } = await insertNewsletter(db, {
        kind: 'digest',
        itemIds: [item.id],
        source: 'staff',
        createdBy: 'test',
      });
      await insertRecipients(db, newsletter.id, await eligibleContacts(db, 'digest'));
      const anne = (await findContactByEmail(db, 'anne.q@lyon.fr'))!;
      await applyFeedback(app.ctx.store, DEFAULT_SUPPRESSION_POLICY, {
        kind: 'soft',
        source: 'mailbox',
        eventId: 'dsn-1',
        contactId: anne.id,
        newsletterId: newsletter.id,
        detail: '452 4.2.2 mailbox of Anne.Q@lyon.fr full',
      });
      return { contactId: anne.id, newsletterId: newsletter.id };
    }

    it('exports everything held about a contact as JSON, and audits the export', async () => {
      const { contactId, newsletterId } = await sentAndBounced();
      const res = await api('GET', `/api/contacts/${contactId}/personal-data`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const data = res.json();
      expect(data.contact).toMatchObject({
        id: contactId,
        email: 'Anne.Q@lyon.fr',
        name: 'Anne Quelquepart',
      });
      expect(data.authority).toMatchObject({ name: 'Lyon', country: 'FR' });
      expect(data.recipients).toEqual([
        expect.objectContaining({ newsletterId, email: 'Anne.Q@lyon.fr', status: 'pending' }),
      ]);
      expect(data.feedback).toEqual([expect.objectContaining({ kind: 'soft', source: 'mailbox' })]);
      expect(data.suppression).toBeNull();
      expect(data.history.map((e: { action: string }) => e.action)).toContain('mail_soft');
      const again = (await api('GET', `/api/contacts/${contactId}/personal-data`)).json();
      expect(again.history.map((e: { action: string }) => e.action)).toContain('contact_exported');
      expect((await api('GET', '/api/contacts/ctc_nobody/personal-data')).statusCode).toBe(404);
    });

    it('erases the contact from every table, keeps the counts and the hashed address, refuses a re-import', async () => {
      const { contactId, newsletterId } = await sentAndBounced();
      const countsBefore = await feedbackCounts(app.ctx.store.db, newsletterId);

      const unconfirmed = await api('POST', `/api/contacts/${contactId}/erase`, {});
      expect(unconfirmed.statusCode).toBe(400);
      expect(unconfirmed.json().error.fields).toHaveProperty('confirm');
      expect(await findContactByEmail(app.ctx.store.db, 'anne.q@lyon.fr')).not.toBeNull();

      const res = await api('POST', `/api/contacts/${contactId}/erase`, { confirm: true });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ contactId, recipients: 1, feedbackEvents: 1 });

      const leftovers: string[] = [];
      for (const [table, rows] of await everyRow(app))
        for (const row of rows) {
          const names = ['anne.q@lyon.fr', 'quelquepart'].some((s) => row.includes(s));
          const id = row.includes(contactId) && !row.includes('contact_erased');
          if (names || id) leftovers.push(`${table}: ${row.slice(0, 200)}`);
        }
      expect(leftovers).toEqual([]);

      expect(await feedbackCounts(app.ctx.store.db, newsletterId)).toEqual(countsBefore);
      expect(await suppressionOfAddress(app.ctx.store.db, 'ANNE.Q@lyon.fr')).toMatchObject({
        reason: 'erased',
        contactId: null,
        detail: '',
      });
      expect((await api('GET', `/api/contacts/${contactId}`)).statusCode).toBe(404);
      expect((await api('POST', `/api/contacts/${contactId}/erase`, { confirm: true })).statusCode).toBe(404);

      const report = await importContacts(app.ctx.store, CSV, { actor: 'test' });
      expect(report.rejected).toEqual([
        expect.objectContaining({ line: 2, reason: expect.stringMatching(/suppressed: .*erased/) }),
      ]);
      expect(await findContactByEmail(app.ctx.store.db, 'anne.q@lyon.fr')).toBeNull();
      expect(await findContactByEmail(app.ctx.store.db, 'paul@lyon.fr')).not.toBeNull();
    });
  });
}
