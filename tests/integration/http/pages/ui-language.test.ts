import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editStaffUser } from '../../../../src/app/staff.js';
import { getUser } from '../../../../src/store/users.js';
import { pagesTemplateDir } from '../../../../src/http/pages/views.js';
import { addUser, Client, startWebApp, type WebApp } from '../../../helpers/web.js';
import { concrete, seedPageRows, staffPages, type PageIds } from '../../../helpers/staff-pages.js';

type Entry = string | Record<string, string>;
const i18n = path.join(pagesTemplateDir(), 'i18n');
const read = <T>(file: string) => JSON.parse(readFileSync(path.join(i18n, file), 'utf8')) as T;
const en = read<Record<string, Entry>>('en.json');
const fr = read<Record<string, Entry>>('fr.json');
const same = new Set(read<string[]>('fr.same.json'));

const decode = (html: string) =>
  html
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&#x3D;/g, '=');

/** English sentences of the UI that a French page must not show: the fixed parts of each untranslated-looking string. */
const englishOnly = Object.keys(en)
  .filter((k) => !same.has(k) && typeof en[k] === 'string')
  .flatMap((k) => (en[k] as string).split(/\{\w+\}/))
  .map((part) => part.trim())
  .filter((part) => part.length >= 14 && /[a-z]{4}/.test(part));

const langOf = (html: string) => html.match(/<html lang="([^"]+)"/)?.[1];

describe('staff pages in each reader language', () => {
  let web: WebApp;
  let admin: Client;
  let adminId = '';
  let ids: PageIds;

  beforeAll(async () => {
    web = await startWebApp('sqlite');
    adminId = (await addUser(web.app, 'admin@example.org', 'admin')).id;
    const editorId = (await addUser(web.app, 'ed@example.org', 'editor')).id;
    ids = await seedPageRows(web, editorId);
    admin = new Client(web.http, '10.7.0.1');
    await admin.signIn('admin@example.org');
  });
  afterAll(async () => web?.close());

  it("follows the browser's Accept-Language when the person has not chosen", async () => {
    const plain = (await admin.get('/')).body;
    expect(langOf(plain)).toBe('en');
    expect(plain).toContain(`<h1>${en['dashboard.heading'] as string}</h1>`);
    const french = (await admin.get('/', { 'accept-language': 'fr-BE,fr;q=0.9,en;q=0.5' })).body;
    expect(langOf(french)).toBe('fr');
    expect(french).toContain(`<h1>${fr['dashboard.heading'] as string}</h1>`);
    const german = (await admin.get('/', { 'accept-language': 'de-DE,de;q=0.9' })).body;
    expect(langOf(german)).toBe('en'); // no German: the installation's language
  });

  it('keeps the choice made on My account over the browser, and refuses a language Herald lacks', async () => {
    const csrf = await admin.csrf();
    const refused = await admin.post('/account', {
      _csrf: csrf,
      name: 'Admin',
      timezone: '',
      language: 'xx',
    });
    expect(refused.statusCode).toBe(400);
    expect(decode(refused.body)).toContain(en['account.languageInvalid'] as string);
    expect((await getUser(web.app.ctx.store.db, adminId)).language).toBeNull();

    const saved = await admin.post('/account', {
      _csrf: await admin.csrf(),
      name: 'Admin',
      timezone: '',
      language: 'fr',
    });
    expect(saved.statusCode).toBe(303);
    expect((await getUser(web.app.ctx.store.db, adminId)).language).toBe('fr');
    const page = (await admin.get('/account', { 'accept-language': 'en' })).body;
    expect(langOf(page)).toBe('fr');
    expect(page).toMatch(/<option value="fr" lang="fr" selected>français<\/option>/);
  });

  it('writes dates in the chosen language', async () => {
    await editStaffUser(web.app.ctx.store, adminId, { language: 'fr' }, 'test');
    const html = (await admin.get(`/items/${ids.item}`)).body;
    const month = new Intl.DateTimeFormat('fr', { month: 'short', timeZone: 'UTC' }).format(new Date());
    expect(html).toContain(month);
  });

  it('shows no English sentence on any staff page in French', async () => {
    await editStaffUser(web.app.ctx.store, adminId, { language: 'fr' }, 'test');
    expect(englishOnly.length).toBeGreaterThan(200);
    const pages = staffPages(web.http.declaredRoutes).filter(
      (r) => r.method === 'GET' && !r.url.startsWith('/admin/queues') && !r.url.includes('*'),
    );
    expect(pages.length).toBeGreaterThan(15);
    const found: string[] = [];
    for (const route of pages) {
      const url = concrete(route.url, ids);
      const res = await admin.get(url);
      if (!(res.headers['content-type'] ?? '').toString().startsWith('text/html')) continue;
      if (res.body.includes('<html')) expect(langOf(res.body), url).toBe('fr');
      const text = decode(res.body);
      for (const english of englishOnly) if (text.includes(english)) found.push(`${url}: ${english}`);
    }
    expect(found).toEqual([]);
  });
});
