// Issue "the staff app shows what will really happen": each test does what a person did in the first-use
// trial and checks the page against what Herald stored. Dry-run channels, the newsletter module on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.js';
import { newsletterOverrides } from '../helpers/newsletter.js';
import { buildServer } from '../../src/http/server.js';
import { startTestApp } from '../helpers/app.js';
import { TOKEN, type WebApp } from '../helpers/web.js';
import { browserSkipReason, screenshot, type Browser } from '../helpers/browser.js';
import { browseAsAdmin } from '../helpers/browser-app.js';
import { getItem } from '../../src/store/items.js';

const URL_OF_ARTICLE = 'https://example.org/news/roma-week';

describe.skipIf(browserSkipReason !== null)('the staff app does what its pages say (Chromium)', () => {
  let smtp: FakeSmtp;
  let web: WebApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    const app = await startTestApp('sqlite', {
      ...newsletterOverrides(smtp),
      web: { secureCookies: 'never' },
    });
    const http = await buildServer(app.ctx, { apiToken: TOKEN });
    web = {
      app,
      http,
      close: async () => {
        await http.close();
        await app.close();
      },
    };
    ({ base, browser } = await browseAsAdmin(web));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await smtp?.close();
  });

  const stored = (id: string) => getItem(web.app.ctx.store.db, id);
  const itemIdOf = (url: string) => url.match(/\/items\/(itm_[0-9a-f]{32})/)![1]!;

  async function newItem(title: string) {
    const { page } = browser;
    await page.goto(`${base}/items/new`);
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByLabel('Address of the article').fill(URL_OF_ARTICLE);
  }

  it('1. "Save changes" on a scheduled item keeps the newsletter announcement, and the item page says so', async () => {
    const { page } = browser;
    await newItem('Roma week in Ghent');
    const tomorrow = DateTime.now()
      .setZone('Europe/Brussels')
      .plus({ days: 1 })
      .toFormat("yyyy-LL-dd'T'HH:mm");
    await page.getByLabel('Date and time (optional)', { exact: true }).fill(tomorrow);
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Brussels');
    await page.getByRole('button', { name: 'Save and schedule' }).click();
    await page.waitForURL(/\/items\/itm_[0-9a-f]{32}$/);
    const id = itemIdOf(page.url());
    expect((await stored(id)).announce).toBe(false);
    expect(await page.locator('[data-announce]').textContent()).toBe('Not announced');

    await page.goto(`${base}/items/${id}/edit`);
    await page.getByLabel('Also announce it in the newsletter').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(`${base}/items/${id}`);
    expect(await page.locator('.flash').textContent()).toContain('Saved');
    const item = await stored(id);
    expect(item).toMatchObject({ status: 'scheduled', announce: true });
    expect(await page.locator('[data-announce]').textContent()).toBe('Announced in the newsletter');
    expect(await page.locator('.timeline').textContent()).toContain('Publication choices changed');

    await page.goto(`${base}/items/${id}/edit`);
    expect(await page.getByLabel('Also announce it in the newsletter').isChecked()).toBe(true);
    await screenshot(page, 'page-says-01-announce-kept');
  });

  it('2. a comma separates tags; the words of one tag become one hashtag, in the preview and on the item page', async () => {
    const { page } = browser;
    await newItem('Roma inclusion week');
    await page.getByLabel('Tags (optional)', { exact: true }).fill('Roma inclusion, housing');
    const tweet = page.locator('#previews .preview[data-account="twitter"] .post-text').first();
    await expect.poll(() => tweet.textContent()).toContain('#RomaInclusion #housing');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\/items\/itm_[0-9a-f]{32}$/);
    const id = itemIdOf(page.url());
    expect((await stored(id)).tags).toEqual(['Roma inclusion', 'housing']);
    expect(await page.locator('.tag').allTextContents()).toEqual(['#RomaInclusion', '#housing']);
    await screenshot(page, 'page-says-02-tags');
  });

  it('3. a Twitter text without the link is flagged, and one click adds the link', async () => {
    const { page } = browser;
    await newItem('Call for housing projects');
    await page.getByLabel('Twitter/X (optional)', { exact: true }).fill('Our call is open!');
    const card = page.locator('#previews .preview[data-account="twitter"]');
    await expect
      .poll(() => card.locator('.warnings').textContent())
      .toContain('The Twitter text has no link to the article');
    await card.getByRole('button', { name: 'Add the link to the text' }).click();
    expect(await page.getByLabel('Twitter/X (optional)', { exact: true }).inputValue()).toBe(
      `Our call is open! ${URL_OF_ARTICLE}`,
    );
    await expect.poll(() => card.locator('.warnings').textContent()).not.toContain('no link to the article');
    await expect.poll(() => card.locator('.post-text').first().textContent()).toContain(URL_OF_ARTICLE);
    await screenshot(page, 'page-says-03-link-added');
  });

  it('8. a refused form keeps one empty translation block, however often it is sent', async () => {
    const { page } = browser;
    await page.goto(`${base}/items/new`);
    const blocks = page.locator('.translation');
    expect(await blocks.count()).toBe(1);
    for (let i = 0; i < 3; i++) {
      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.waitForLoadState('domcontentloaded');
      await expect.poll(() => page.locator('.error-summary, [role="alert"]').count()).toBeGreaterThan(0);
      expect(await blocks.count()).toBe(1);
    }
    await page.getByLabel('Language of the translation').fill('fr');
    await page.getByLabel('Translated title').fill('Semaine rom');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForLoadState('domcontentloaded');
    // The filled block is kept, with one new empty block after it.
    expect(await blocks.count()).toBe(2);
    expect(await page.getByLabel('Translated title').first().inputValue()).toBe('Semaine rom');
  });
});
