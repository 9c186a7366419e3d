import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/app.js';
import { addUser, PASSWORD } from '../helpers/web.js';
import { browserSkipReason, openBrowser, signIn } from '../helpers/browser.js';
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.js';

// "Save and publish now" pressed twice, in the ways people do it: one item and one post per channel.
describe.skipIf(browserSkipReason !== null)('publishing once from the editor, in Chromium', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
    await addUser(app.web.app, 'editor@example.org', 'editor');
    await signIn(app.browser.page, app.base, 'editor@example.org', PASSWORD);
  }, 120_000);
  afterAll(async () => app?.close());

  async function fillEditor(page: Page, title: string) {
    await page.goto(`${app.base}/items/new`);
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page
      .getByLabel('Address of the article')
      .fill(`https://example.org/news/${encodeURIComponent(title)}`);
  }

  /** Waits until every delivery of the one item titled `title` is done, then counts items and posts. */
  async function outcome(title: string) {
    const items = await app.web.app.ctx.store.db
      .selectFrom('items')
      .select('id')
      .where('title', '=', title)
      .execute();
    expect(items).toHaveLength(1);
    await waitFor(
      async () => {
        const rows = await app.web.app.ctx.store.db
          .selectFrom('deliveries')
          .select('status')
          .where('itemId', '=', items[0]!.id)
          .execute();
        return rows.length > 0 && rows.every((r) => r.status === 'done');
      },
      30_000,
      'the deliveries',
    );
    return {
      items: (
        await app.web.app.ctx.store.db.selectFrom('items').select('id').where('title', '=', title).execute()
      ).length,
      tweets: app.fakes.twitter.posts.filter((p) => p.text.includes(title)).length,
      facebook: app.fakes.facebook.posts.filter((p) => p.message.includes(title)).length,
    };
  }

  it('a double click on "Save and publish now" makes one item and one post per channel', async () => {
    const { page } = app.browser;
    const title = 'Double-clicked news';
    await fillEditor(page, title);
    await page.getByRole('button', { name: 'Save and publish now' }).dblclick();
    await page.waitForURL(/\/items\/itm_/);
    expect(await outcome(title)).toEqual({ items: 1, tweets: 1, facebook: 1 });
  }, 60_000);

  it('without the page script, a double click is still one item: the server answers the second with the first', async () => {
    const plain = await openBrowser();
    try {
      await plain.context.route(/\/static\/forms\.js/, (route) => route.abort('blockedbyclient'));
      await signIn(plain.page, app.base, 'editor@example.org', PASSWORD);
      const title = 'Double-clicked news without script';
      await fillEditor(plain.page, title);
      await plain.page.getByRole('button', { name: 'Save and publish now' }).dblclick();
      await plain.page.waitForURL(/\/items\/itm_/);
      expect(await outcome(title)).toEqual({ items: 1, tweets: 1, facebook: 1 });
    } finally {
      await plain.close();
    }
  }, 60_000);

  it('Back after publishing, then "Save and publish now" again, shows the first item and makes nothing new', async () => {
    const { page } = app.browser;
    const title = 'News published, then Back';
    await fillEditor(page, title);
    await page.getByRole('button', { name: 'Save and publish now' }).click();
    await page.waitForURL(/\/items\/itm_/);
    const first = page.url();
    await page.goBack();
    await page.waitForURL(`${app.base}/items/new`);
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(title); // the browser kept what was typed
    await page.getByRole('button', { name: 'Save and publish now' }).click();
    await page.waitForURL(/\/items\/itm_/);
    expect(page.url()).toBe(first);
    expect(await outcome(title)).toEqual({ items: 1, tweets: 1, facebook: 1 });
  }, 60_000);

  it('the buttons of a form that is being sent are disabled until the answer comes', async () => {
    const { page } = app.browser;
    await fillEditor(page, 'News sent slowly');
    // The answer is held back a moment; meanwhile the page notes the buttons' state where the next page can read it.
    await page.route(`${app.base}/items`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await route.continue();
    });
    await page.evaluate(`document.getElementById('item-form').addEventListener('submit', () => setTimeout(() => {
      const buttons = [...document.querySelectorAll('#item-form button[type=submit]')];
      sessionStorage.setItem('probe', JSON.stringify(buttons.map((b) => b.disabled)));
    }, 200))`);
    await page.getByRole('button', { name: 'Save and publish now' }).click();
    await page.waitForURL(/\/items\/itm_/);
    await page.unroute(`${app.base}/items`);
    expect(JSON.parse(String(await page.evaluate(`sessionStorage.getItem('probe')`)))).toEqual([
      true,
      true,
      true,
    ]);
    expect(app.browser.problems).toEqual([]);
  }, 60_000);
});
