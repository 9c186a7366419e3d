// GDPR from the staff pages: an admin downloads everything held about a contact and erases them after
// ticking the confirmation; an editor can do neither; without the tick nothing is erased.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, Client, startWebApp, type WebApp } from '../../../helpers/web.js';
import { importContacts } from '../../../../src/store/member-import.js';
import { findContactByEmail } from '../../../../src/store/members.js';
import { suppressionOfAddress } from '../../../../src/store/mail-feedback.js';

const CSV = ['authority,country,name,email,language', 'Lyon,FR,Anne Quelquepart,anne@lyon.fr,fr'].join('\n');

describe('personal data on the contact page (sqlite)', () => {
  let web: WebApp;
  let admin: Client;
  let editor: Client;
  let csrf: string;
  let contactId: string;

  beforeAll(async () => {
    web = await startWebApp('sqlite');
    await addUser(web.app, 'root@example.org', 'admin');
    await addUser(web.app, 'ed@example.org', 'editor');
    admin = new Client(web.http, '10.6.0.1');
    await admin.signIn('root@example.org');
    csrf = await admin.csrf();
    editor = new Client(web.http, '10.6.0.2');
    await editor.signIn('ed@example.org');
    await importContacts(web.app.ctx.store, CSV, { actor: 'test' });
    contactId = (await findContactByEmail(web.app.ctx.store.db, 'anne@lyon.fr'))!.id;
  });
  afterAll(async () => web?.close());

  it('offers the export and the erasure to admins only', async () => {
    const page = await admin.get(`/members/contacts/${contactId}`);
    expect(page.body).toContain(`href="/members/contacts/${contactId}/personal-data"`);
    expect(page.body).toContain(`action="/members/contacts/${contactId}/erase"`);
    const data = await admin.get(`/members/contacts/${contactId}/personal-data`);
    expect(data.statusCode).toBe(200);
    expect(data.headers['content-disposition']).toBe(
      `attachment; filename="personal-data-${contactId}.json"`,
    );
    expect(data.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(data.body)).toMatchObject({
      contact: { email: 'anne@lyon.fr', name: 'Anne Quelquepart' },
    });
    expect((await editor.get(`/members/contacts/${contactId}/personal-data`)).statusCode).toBe(403);
    const editorCsrf = await editor.csrf();
    const refused = await editor.post(`/members/contacts/${contactId}/erase`, {
      _csrf: editorCsrf,
      confirm: 'on',
    });
    expect(refused.statusCode).toBe(403);
    expect(await findContactByEmail(web.app.ctx.store.db, 'anne@lyon.fr')).not.toBeNull();
  });

  it('erases only once the box is ticked; the address stays blocked as a hash', async () => {
    const unticked = await admin.post(`/members/contacts/${contactId}/erase`, { _csrf: csrf });
    expect(unticked.statusCode).toBe(400);
    expect(unticked.body).toContain('Tick the box to confirm the erasure.');
    expect(await findContactByEmail(web.app.ctx.store.db, 'anne@lyon.fr')).not.toBeNull();

    const erased = await admin.post(`/members/contacts/${contactId}/erase`, { _csrf: csrf, confirm: 'on' });
    expect(erased.statusCode).toBe(303);
    expect(erased.headers.location).toBe('/members');
    expect(await findContactByEmail(web.app.ctx.store.db, 'anne@lyon.fr')).toBeNull();
    expect(await suppressionOfAddress(web.app.ctx.store.db, 'anne@lyon.fr')).not.toBeNull();
    expect((await admin.get(`/members/contacts/${contactId}`)).statusCode).toBe(404);
  });
});
