import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../helpers/databases.js';
import { addUser, Client, startWebApp, type WebApp } from '../../../helpers/web.js';
import { editorForm, itemIdFrom } from '../../../helpers/item-form.js';
import { pagesTemplateDir } from '../../../../src/http/pages/views.js';

const onceOf = (html: string): string[] =>
  [...html.matchAll(/name="_once" value="([^"]+)"/g)].map((m) => m[1]!);

describe('one-time form tokens in the templates', () => {
  it('every form that posts carries the form tokens (the sign-in form has its own)', () => {
    const dir = pagesTemplateDir();
    const files = [
      ...readdirSync(dir).map((f) => path.join(dir, f)),
      ...readdirSync(path.join(dir, 'partials')).map((f) => path.join(dir, 'partials', f)),
    ];
    let forms = 0;
    for (const file of files.filter((f) => f.endsWith('.hbs') && !f.endsWith('login.hbs'))) {
      for (const form of readFileSync(file, 'utf8').match(/<form\b[^>]*method="post"[\s\S]*?<\/form>/g) ??
        []) {
        forms++;
        expect(form, `${path.basename(file)}: ${form.slice(0, 120)}`).toContain('{{> form-tokens}}');
      }
    }
    expect(forms).toBeGreaterThan(15);
  });
});

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`a form sent twice acts once (${dialect})`, () => {
    let web: WebApp;
    let ed: Client;
    let csrf: string;
    const countItems = async () =>
      (await web.app.ctx.store.db.selectFrom('items').select('id').execute()).length;
    const freshToken = async () => onceOf((await ed.get('/items/new')).body)[0]!;

    beforeAll(async () => {
      web = await startWebApp(dialect);
      await addUser(web.app, 'ed@example.org', 'editor');
      await addUser(web.app, 'other@example.org', 'editor');
      ed = new Client(web.http);
      await ed.signIn('ed@example.org');
      csrf = await ed.csrf();
    });
    afterAll(async () => web?.close());

    it('gives each rendered form its own token', async () => {
      const page = (await ed.get('/items/new')).body;
      const tokens = onceOf(page);
      expect(tokens.length).toBeGreaterThanOrEqual(2); // the editor and the sign-out form
      expect(new Set(tokens).size).toBe(tokens.length);
      expect(onceOf((await ed.get('/items/new')).body)).not.toContain(tokens[0]);
    });

    it('a second "Save and publish now" with the same token shows the first result and creates nothing', async () => {
      const once = await freshToken();
      const before = await countItems();
      const first = await ed.post('/items', {
        ...editorForm({ title: 'Published once' }),
        _csrf: csrf,
        _once: once,
        action: 'publish',
      });
      expect(first.statusCode).toBe(303);
      const again = await ed.post('/items', {
        ...editorForm({ title: 'Published once (edited after Back)' }),
        _csrf: csrf,
        _once: once,
        action: 'publish',
      });
      expect(again.statusCode).toBe(303);
      expect(again.headers.location).toBe(first.headers.location);
      expect(await countItems()).toBe(before + 1);
      const deliveries = await web.app.ctx.store.db
        .selectFrom('deliveries')
        .select('id')
        .where('itemId', '=', itemIdFrom(first.headers.location))
        .execute();
      expect(deliveries.length).toBeGreaterThan(0);
    });

    it('two submits at the same moment create one item, and both land on it', async () => {
      const once = await freshToken();
      const before = await countItems();
      const body = { ...editorForm({ title: 'Double click' }), _csrf: csrf, _once: once, action: 'publish' };
      const [a, b] = await Promise.all([ed.post('/items', body), ed.post('/items', body)]);
      expect([a.statusCode, b.statusCode]).toEqual([303, 303]);
      expect(a.headers.location).toBe(b.headers.location);
      expect(await countItems()).toBe(before + 1);
    });

    it('keeps tokens apart per person, and a form without a token acts as before', async () => {
      const once = await freshToken();
      const other = new Client(web.http);
      await other.signIn('other@example.org');
      const before = await countItems();
      expect(
        (await ed.post('/items', { ...editorForm(), _csrf: csrf, _once: once, action: 'save' })).statusCode,
      ).toBe(303);
      expect(
        (
          await other.post('/items', {
            ...editorForm(),
            _csrf: await other.csrf(),
            _once: once,
            action: 'save',
          })
        ).statusCode,
      ).toBe(303);
      expect((await ed.post('/items', { ...editorForm(), _csrf: csrf, action: 'save' })).statusCode).toBe(
        303,
      );
      expect(await countItems()).toBe(before + 3);
    });

    it('a token is claimed only by a genuine form: a wrong CSRF token is refused and leaves it unused', async () => {
      const once = await freshToken();
      const before = await countItems();
      expect(
        (await ed.post('/items', { ...editorForm(), _csrf: 'forged', _once: once, action: 'save' }))
          .statusCode,
      ).toBe(403);
      expect(
        (await ed.post('/items', { ...editorForm(), _csrf: csrf, _once: once, action: 'save' })).statusCode,
      ).toBe(303);
      expect(await countItems()).toBe(before + 1);
    });

    it("keeps an import's answer (it carries the contacts' CSV) minutes, not a day, and a repeat still imports once", async () => {
      await addUser(web.app, 'admin@example.org', 'admin');
      const admin = new Client(web.http);
      await admin.signIn('admin@example.org');
      const once = onceOf((await admin.get('/members')).body)[0]!;
      const csv = 'authority,country,name,email,language\nGhent,BE,An,an@example.org,nl\n';
      const form = { _csrf: await admin.csrf(), _once: once, csv };
      const first = await admin.post('/members/import', form);
      expect(first.statusCode).toBe(200);
      const again = await admin.post('/members/import', form);
      expect(again.body).toBe(first.body);
      const contacts = await web.app.ctx.store.db.selectFrom('contacts').select('id').execute();
      expect(contacts).toHaveLength(1);
      const keys = web.app.ctx.store.db.selectFrom('requestKeys').select(['key', 'expiresAt']);
      const kept = await keys.where('key', '=', once).executeTakeFirstOrThrow();
      const minutes = (Date.parse(kept.expiresAt) - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(5);
      expect(minutes).toBeLessThanOrEqual(10);
      const item = await freshToken();
      await ed.post('/items', { ...editorForm(), _csrf: csrf, _once: item, action: 'save' });
      const other = await keys.where('key', '=', item).executeTakeFirstOrThrow();
      expect((Date.parse(other.expiresAt) - Date.now()) / 3_600_000).toBeGreaterThan(23);
    });
  });
}
