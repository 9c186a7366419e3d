import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem } from '../../helpers/app.js';
import { addUser, Client, startWebApp, TOKEN, type WebApp } from '../../helpers/web.js';

const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`a warning for what looks published already (${dialect})`, () => {
    let web: WebApp;
    let first: string;

    const create = async (body: Record<string, unknown>) =>
      (
        (
          await web.http.inject({
            method: 'POST',
            url: '/api/items',
            headers: json,
            payload: JSON.stringify(body),
          })
        ).json() as { id: string }
      ).id;
    const publish = (id: string) =>
      web.http.inject({ method: 'POST', url: `/api/items/${id}/publish`, headers: json, payload: '{}' });

    beforeAll(async () => {
      web = await startWebApp(dialect);
      await addUser(web.app, 'ed@example.org', 'editor');
      first = await create(
        sampleItem(1, { title: 'Mayors sign the Lyon declaration', url: 'https://example.org/news/lyon' }),
      );
      expect((await publish(first)).json().warnings).toEqual([]);
    });
    afterAll(async () => web?.close());

    it('warns, and publishes all the same, when the title was published in the last 30 days (case and spaces aside)', async () => {
      const id = await create(
        sampleItem(2, {
          title: '  MAYORS sign the Lyon declaration ',
          url: 'https://example.org/news/other',
        }),
      );
      const res = await publish(id);
      expect(res.statusCode).toBe(202);
      expect(res.json().status).toBe('published');
      expect(res.json().warnings).toMatchObject([
        { code: 'same_title_recently_published', itemId: first, sameTitle: true, sameLink: false },
      ]);
    });

    it('warns for the same link under another title', async () => {
      const id = await create(
        sampleItem(3, { title: 'A different headline', url: 'https://example.org/news/lyon' }),
      );
      const res = await publish(id);
      expect(res.statusCode).toBe(202);
      expect(res.json().warnings).toMatchObject([
        { code: 'same_link_recently_published', itemId: first, sameTitle: false, sameLink: true },
      ]);
    });

    it('says nothing for other news, or for an item published more than 30 days ago', async () => {
      await web.app.ctx.store.db
        .updateTable('items')
        .set({ publishedAt: new Date(Date.now() - 31 * 86_400_000).toISOString() })
        .execute();
      const again = await create(
        sampleItem(4, { title: 'Mayors sign the Lyon declaration', url: 'https://example.org/news/lyon' }),
      );
      expect((await publish(again)).json().warnings).toEqual([]);
      const other = await create(
        sampleItem(5, { title: 'Something else', url: 'https://example.org/news/else' }),
      );
      expect((await publish(other)).json().warnings).toEqual([]);
    });

    it('shows the warning on the item page, with a link to the other item', async () => {
      const id = await create(
        sampleItem(6, {
          title: 'Mayors sign the Lyon declaration',
          url: 'https://example.org/news/lyon-again',
        }),
      );
      const ed = new Client(web.http);
      await ed.signIn('ed@example.org');
      const page = (await ed.get(`/items/${id}`)).body;
      expect(page).toContain('data-lookalikes');
      expect(page).toContain('Possibly published already');
      expect(page).toMatch(/Same title: <a href="\/items\/itm_[0-9a-f]{32}">/);
      const alone = (
        await ed.get(
          `/items/${await create(sampleItem(7, { title: 'Unique news', url: 'https://example.org/news/unique' }))}`,
        )
      ).body;
      expect(alone).not.toContain('data-lookalikes');
    });
  });
}
