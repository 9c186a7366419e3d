import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthority, createContact } from '../../../../src/app/members.js';
import type { Store } from '../../../../src/store/db.js';
import { createItem } from '../../../../src/app/items.js';
import { addUser, Client, startWebApp, type WebApp } from '../../../helpers/web.js';

const liveAccount = {
  id: 'li-live',
  platform: 'linkedin',
  apiUrl: 'http://127.0.0.1:9',
  credentials: { organizationId: '2414183', accessToken: 'AQXfakelinkedintoken0002' },
};

/** The checklist's steps as the page shows them: step id → "yes" (done) or "no". */
function stepsOf(html: string): Record<string, string> {
  const steps: Record<string, string> = {};
  for (const m of html.matchAll(/data-step="(\w+)" data-done="(yes|no)"/g)) steps[m[1]!] = m[2]!;
  return steps;
}

async function addContact(store: Store): Promise<void> {
  const city = await createAuthority(store, { name: 'Lyon', country: 'FR' }, 'test');
  await createContact(
    store,
    { authorityId: city.id, name: 'Ana', email: 'ana@example.org', language: 'fr' },
    'test',
  );
}

async function signedIn(web: WebApp, email: string, role: 'admin' | 'editor'): Promise<Client> {
  await addUser(web.app, email, role);
  const client = new Client(web.http);
  await client.signIn(email);
  return client;
}

describe('Getting started checklist on a fresh installation', () => {
  let web: WebApp;
  let admin: Client;
  beforeAll(async () => {
    web = await startWebApp('sqlite');
    admin = await signedIn(web, 'first@example.org', 'admin');
  });
  afterAll(async () => web?.close());

  it('lists the five steps, none done, each with where to do it', async () => {
    const html = (await admin.get('/')).body;
    expect(html).toContain('Getting started');
    expect(html).toContain('0 of 5 done');
    expect(stepsOf(html)).toEqual({
      channels: 'no',
      members: 'no',
      postalAddress: 'no',
      secondAdmin: 'no',
      firstItem: 'no',
    });
    for (const href of ['/channels', '/members', '/users', '/items/new'])
      expect(html).toContain(`href="${href}"`);
    expect(html).toContain('newsletter.branding.postalAddress');
  });

  it('ticks what the records show as done: an item, a contact, a second admin', async () => {
    const store = web.app.ctx.store;
    await createItem(
      store,
      { title: 'First news', url: 'https://example.org/news/1', summary: 'Hello.' },
      'test',
    );
    const editor = await signedIn(web, 'ed@example.org', 'editor');
    expect(stepsOf((await admin.get('/')).body)).toMatchObject({ firstItem: 'yes', secondAdmin: 'no' });
    await addUser(web.app, 'second@example.org', 'admin');
    await addContact(store);
    const html = (await admin.get('/')).body;
    expect(stepsOf(html)).toMatchObject({
      firstItem: 'yes',
      secondAdmin: 'yes',
      members: 'yes',
      channels: 'no',
    });
    expect(html).toContain('3 of 5 done');
    const forEditor = (await editor.get('/')).body;
    expect(stepsOf(forEditor).channels).toBe('no');
    expect(forEditor).not.toContain('href="/channels"'); // editors cannot open Channels: no dead link
  });
});

describe('Getting started once everything is set up', () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp('sqlite', {
      channels: { accounts: [liveAccount] },
      newsletter: { branding: { postalAddress: 'Rue de la Loi 1, 1000 Brussels' } },
    });
  });
  afterAll(async () => web?.close());

  it('is gone from the dashboard', async () => {
    const admin = await signedIn(web, 'a1@example.org', 'admin');
    await addUser(web.app, 'a2@example.org', 'admin');
    const store = web.app.ctx.store;
    await addContact(store);
    expect(stepsOf((await admin.get('/')).body)).toEqual({
      channels: 'yes',
      members: 'yes',
      postalAddress: 'yes',
      secondAdmin: 'yes',
      firstItem: 'no',
    });
    await createItem(
      store,
      { title: 'First news', url: 'https://example.org/news/1', summary: 'Hello.' },
      'test',
    );
    const html = (await admin.get('/')).body;
    expect(html).not.toContain('Getting started');
    expect(stepsOf(html)).toEqual({});
  });
});
