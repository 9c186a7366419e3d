import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { waitFor } from '../helpers/app.js';
import type { Fakes } from '../helpers/social.js';
import { addUser, PASSWORD, type WebApp } from '../helpers/web.js';
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.js';
import { browserSkipReason, openBrowser, screenshot, signIn, type Browser } from '../helpers/browser.js';

// The whole staff flow in a real browser, against live Twitter/Facebook adapters pointed at the local fakes.
describe.skipIf(browserSkipReason !== null)('staff web app in Chromium', () => {
  let fakes: Fakes;
  let web: WebApp;
  let base: string;
  let browser: Browser;
  let running: BrowserApp | undefined;

  beforeAll(async () => {
    running = await startBrowserApp();
    ({ fakes, web, base, browser } = running);
    await addUser(web.app, 'admin@example.org', 'admin');
    await addUser(web.app, 'editor@example.org', 'editor');
  }, 120_000);
  afterAll(async () => running?.close());

  it('signs in with the keyboard only, with a visible focus', async () => {
    const { page } = browser;
    await page.goto(`${base}/login`);
    await page.keyboard.press('Tab');
    // Expressions as strings: they run in the page, where the DOM exists (this file is compiled for Node).
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to main content');
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    const shadow = await page.evaluate('getComputedStyle(document.activeElement).boxShadow');
    expect(outline !== 'none' || shadow !== 'none').toBe(true);
    await page.getByLabel('Email address').focus();
    await page.keyboard.type('admin@example.org');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/`);
    await expect
      .poll(() => page.getByRole('heading', { name: 'Dashboard', level: 1 }).isVisible())
      .toBe(true);
    await screenshot(page, '01-dashboard-signed-in');
  });

  it('composes an item: the previews and the tweet counter follow the typing, red past 280', async () => {
    const { page } = browser;
    await page.goto(`${base}/items/new`);
    await page.getByLabel('Title', { exact: true }).fill('Mayors agree a climate plan');
    await page.getByLabel('Address of the article').fill('https://example.org/news/plan');
    const tweet = page.locator('#previews .preview[data-account="tw-main"]');
    await expect
      .poll(() => tweet.locator('.post-text').first().textContent())
      .toContain('Mayors agree a climate plan');
    const counter = tweet.locator('.counter');
    const first = await counter.textContent();
    expect(first).toMatch(/^\d+ of 280 characters$/);
    await page
      .getByLabel('Summary (optional)', { exact: true })
      .fill('What 130 member cities agreed in Lyon.');
    await expect.poll(() => counter.textContent()).not.toBe(first);
    await expect
      .poll(() => page.locator('#previews .preview[data-account="fb-main"] .post-text').first().textContent())
      .toContain('What 130 member cities agreed in Lyon.');
    await page
      .getByLabel('Article (Markdown) (optional)', { exact: true })
      .fill('The **declaration** was signed.');
    await expect.poll(() => page.locator('#body-preview strong').textContent()).toBe('declaration');
    await page.getByLabel('Twitter/X (optional)', { exact: true }).fill('x'.repeat(290));
    await expect.poll(() => counter.getAttribute('class')).toContain('over');
    expect(await counter.textContent()).toContain('290 of 280 characters – Too long by 10 characters');
    expect(
      await page.evaluate(
        `getComputedStyle(document.querySelector('.preview[data-account="tw-main"] .counter')).color`,
      ),
    ).toBe('rgb(164, 22, 26)');
    await screenshot(page, '02-editor-tweet-too-long');
    await page.getByLabel('Twitter/X (optional)', { exact: true }).fill('');
    await expect.poll(() => counter.getAttribute('class')).toBe('counter');
    await page.getByLabel('Address of the article').fill('not a link');
    await page.getByLabel('Tags (optional)', { exact: true }).focus();
    await expect
      .poll(() => page.locator('#f-url-error').textContent())
      .toBe('Address of the article must be a full web address starting with https:// or http://.');
    expect(await page.locator('#f-url').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Address of the article').fill('https://example.org/news/plan');
    await expect.poll(() => page.locator('#f-url-error').isHidden()).toBe(true);
    await screenshot(page, '03-editor-previews');
  });

  it('schedules it a few seconds ahead in the Paris zone; the dashboard shows it delivered, with links', async () => {
    const { page } = browser;
    const when = DateTime.now()
      .setZone('Europe/Paris')
      .plus({ seconds: 6 })
      .toFormat("yyyy-LL-dd'T'HH:mm:ss");
    await page.getByLabel('Date and time (optional)', { exact: true }).fill(when);
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Paris');
    await page.getByRole('button', { name: 'Save and schedule' }).click();
    await page.waitForURL(/\/items\/itm_[0-9a-f]{32}$/);
    await expect
      .poll(() => page.locator('.flash').textContent())
      .toMatch(/^Scheduled for \d{4}-\d\d-\d\d \d\d:\d\d Europe\/Paris\.$/);
    const itemId = page.url().split('/').pop()!;
    await screenshot(page, '04-item-scheduled');
    await page.goto(`${base}/`);
    const row = page.locator(`#live li[data-item="${itemId}"]`);
    // No reload: live.js refreshes the live part by itself.
    await row.locator('[data-target="tw-main"][data-status="done"]').waitFor({ timeout: 30_000 });
    await row.locator('[data-target="fb-main"][data-status="done"]').waitFor({ timeout: 30_000 });
    const tweet = fakes.twitter.posts.at(-1)!;
    expect(tweet.text).toContain('Mayors agree a climate plan');
    expect(await row.locator('[data-target="tw-main"] a').getAttribute('href')).toBe(
      `https://x.com/herald_test/status/${tweet.id}`,
    );
    expect(await row.locator('[data-target="fb-main"] a').getAttribute('href')).toMatch(
      /^https:\/\/www\.facebook\.com\//,
    );
    await screenshot(page, '05-dashboard-delivered');
  }, 60_000);

  it('a failure shows its reason on the dashboard and Retry delivers it', async () => {
    const { page } = browser;
    fakes.twitter.inject({ kind: 'duplicate' }, { route: 'POST /2/tweets' });
    await page.goto(`${base}/items/new`);
    await page.getByLabel('Title', { exact: true }).fill('Second news of the day');
    await page.getByLabel('Address of the article').fill('https://example.org/news/second');
    await page.getByRole('button', { name: 'Save and publish now' }).click();
    await page.waitForURL(/\/items\/itm_/);
    await page.goto(`${base}/`);
    const failed = page.locator('#live .attention .card-error').filter({ hasText: 'Second news of the day' });
    await failed.waitFor({ timeout: 30_000 });
    expect(await failed.textContent()).toContain(
      'Twitter rejected the post as a duplicate of an earlier one.',
    );
    await screenshot(page, '06-dashboard-failure');
    await failed.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL(`${base}/`);
    await expect.poll(() => page.locator('.flash').textContent()).toBe('Retrying the delivery.');
    await waitFor(
      async () => fakes.twitter.posts.some((p) => p.text.includes('Second news of the day')),
      30_000,
      'the retried tweet',
    );
    await page.locator('#live li[data-item] [data-target="tw-main"][data-status="done"]').first().waitFor();
    await expect
      .poll(() => page.locator('#live .attention').textContent(), { timeout: 20_000 })
      .toContain('Nothing needs attention.');
    await screenshot(page, '07-dashboard-retried');
  }, 90_000);

  it('an editor cannot open admin pages', async () => {
    const editor = await openBrowser({ width: 390, height: 844 });
    try {
      await signIn(editor.page, base, 'editor@example.org', PASSWORD);
      expect(await editor.page.locator('nav a[href="/users"]').count()).toBe(0);
      for (const path of ['/users', '/channels', '/admin/queues']) {
        const res = await editor.page.goto(`${base}${path}`);
        expect(res?.status()).toBe(403);
        expect(await editor.page.getByRole('heading', { level: 1 }).textContent()).toBe('Not allowed');
      }
      await screenshot(editor.page, '08-editor-refused-phone');
    } finally {
      await editor.close();
    }
  }, 60_000);

  it('the admin queue dashboard opens for the admin', async () => {
    const { page } = browser;
    await page.goto(`${base}/admin/queues`);
    await page.getByText('channel', { exact: true }).first().waitFor({ timeout: 20_000 });
    await screenshot(page, '09-queues');
  });

  // Wide tables scroll inside their own box; nothing else may stick out.
  it('every page fits a phone screen (no sideways scrolling)', async () => {
    const phone = await openBrowser({ width: 360, height: 780 });
    try {
      await signIn(phone.page, base, 'admin@example.org', PASSWORD);
      const item = (await phone.page.locator('#live li[data-item]').first().getAttribute('data-item'))!;
      for (const [name, path] of [
        ['dashboard', '/'],
        ['items', '/items'],
        ['item', `/items/${item}`],
        ['editor', `/items/${item}/edit`],
        ['channels', '/channels'],
        ['users', '/users'],
        ['account', '/account'],
      ]) {
        await phone.page.goto(`${base}${path}`);
        await screenshot(phone.page, `10-phone-${name}`);
        const overflow = await phone.page.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        const wide = await phone.page.evaluate(
          `[...document.querySelectorAll('main *')].filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 3).map((e) => e.tagName + '.' + e.className + '#' + e.id)`,
        );
        expect({ path, overflow, wide }).toEqual({ path, overflow: 0, wide: [] });
      }
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.close();
    }
  }, 90_000);

  it('no page broke its content security policy or threw', () => {
    expect(browser.problems).toEqual([]);
    expect(browser.blocked).toEqual([]);
  });
});
