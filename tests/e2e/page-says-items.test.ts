// Issue "the staff app shows what will really happen", points 5, 6, 7 and 9: each test does what a person
// does on the item pages and checks the page against what Herald stored and recorded (API, dry-run posts,
// audit log). Dry-run channels; the workers start only when a test wants deliveries to happen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { startWebApp, TOKEN, type WebApp } from '../helpers/web.js';
import { browserSkipReason, screenshot, type Browser } from '../helpers/browser.js';
import { browseAsAdmin } from '../helpers/browser-app.js';
import { findItem, getItem } from '../../src/store/items.js';
import { listAudit } from '../../src/store/audit.js';

const URL_OF_ARTICLE = 'https://example.org/news/roma-week';
const ZONE = 'Europe/Brussels';

describe.skipIf(browserSkipReason !== null)('the item pages do what they say (Chromium)', () => {
  let web: WebApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    web = await startWebApp('sqlite', { web: { secureCookies: 'never' }, timezone: ZONE });
    ({ base, browser } = await browseAsAdmin(web));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  const db = () => web.app.ctx.store.db;
  const itemIdOf = (url: string) => url.match(/\/items\/(itm_[0-9a-f]{32})/)![1]!;
  const api = async (url: string) =>
    web.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });

  async function saveDraft(title: string, extra: (page: Browser['page']) => Promise<void> = async () => {}) {
    const { page } = browser;
    await page.goto(`${base}/items/new`);
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByLabel('Address of the article').fill(URL_OF_ARTICLE);
    await extra(page);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\/items\/itm_[0-9a-f]{32}$/);
    return itemIdOf(page.url());
  }

  it('5. the item page updates its deliveries live, and "View the post" of a dry-run account is a readable page', async () => {
    const { page } = browser;
    const id = await saveDraft('Roma week opens', async (p) => {
      await p.getByLabel('Image address').fill('https://example.org/roma.jpg');
      await p.getByLabel('Image description (alt text)').fill('Dancers on the town square');
    });
    await page.getByRole('button', { name: 'Publish now' }).click();
    await page.waitForURL(`${base}/items/${id}`);
    const row = page.locator('tr[data-delivery]').filter({ hasText: 'Twitter/X' });
    expect(await row.getAttribute('data-status')).toBe('pending');
    expect(await row.textContent()).toContain('Waiting');

    // The workers start only now: the page, not reloaded, follows the deliveries as they go out.
    const url = page.url();
    web.app.startWorkers(['channel', 'feed']);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('done');
    expect(await row.textContent()).toContain('Delivered');
    expect(page.url()).toBe(url);

    const link = row.getByRole('link', { name: /View the post/ });
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/dry-run-posts\/out_[0-9a-f]{32}$/);
    await link.click();
    await page.waitForURL(`${base}${href}`);
    const post = (await api(`/api/dry-run-posts/${href.split('/').pop()}`)).json();
    expect(await page.locator('h1').textContent()).toContain('What Twitter/X would have posted');
    expect((await page.locator('[data-post-part]').allTextContents()).join('\n')).toBe(
      post.payload.parts.join('\n'),
    );
    expect(post.text).toContain('Roma week opens');
    expect(await page.locator('[data-post-link]').textContent()).toBe(post.payload.link);
    expect(await page.locator('img').getAttribute('src')).toBe('https://example.org/roma.jpg');
    expect(await page.locator('[data-post-image-alt]').textContent()).toContain('Dancers on the town square');
    expect(await page.locator('time').first().textContent()).toContain(ZONE);
    // The JSON stays at the API.
    expect(await page.getByRole('link', { name: 'The same as JSON (API)' }).getAttribute('href')).toBe(
      `/api/dry-run-posts/${post.id}`,
    );
    await screenshot(page, 'page-says-05-dry-run-post');
  });

  it('6. schedule forms open with the current time and name the zone; the repeated 02:30 asks which one', async () => {
    const { page } = browser;
    const id = await saveDraft('Housing fair');
    const when = DateTime.now()
      .setZone(ZONE)
      .plus({ days: 2 })
      .set({ hour: 9, minute: 30, second: 0, millisecond: 0 });
    await page.getByLabel('Date and time', { exact: true }).fill(when.toFormat("yyyy-LL-dd'T'HH:mm"));
    await page.getByLabel('Time zone', { exact: true }).fill(ZONE);
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await page.waitForURL(`${base}/items/${id}`);
    const stored = await getItem(db(), id);
    expect(stored.publishAt).toBe(when.toUTC().toISO());
    expect(await page.locator('.flash').textContent()).toBe(
      `Scheduled for ${when.toFormat('yyyy-LL-dd HH:mm')} ${ZONE}.`,
    );
    expect(await page.locator('.page-head').textContent()).not.toMatch(/GMT/);

    // The reschedule form and the editor open with the time that is scheduled.
    expect(await page.getByLabel('Date and time', { exact: true }).inputValue()).toBe(
      when.toFormat("yyyy-LL-dd'T'HH:mm"),
    );
    await page.goto(`${base}/items/${id}/edit`);
    expect(await page.getByLabel('Date and time (optional)', { exact: true }).inputValue()).toBe(
      when.toFormat("yyyy-LL-dd'T'HH:mm"),
    );
    expect(await page.getByLabel('Time zone', { exact: true }).inputValue()).toBe(ZONE);

    // 31 October 2027, 02:30 in Brussels happens twice: Herald asks which one and changes nothing until told.
    await page.goto(`${base}/items/${id}`);
    await page.getByLabel('Date and time', { exact: true }).fill('2027-10-31T02:30');
    await page.getByRole('button', { name: 'Reschedule' }).click();
    await page.waitForLoadState('domcontentloaded');
    const choice = page.locator('[data-repeated-hour]');
    await expect.poll(() => choice.count()).toBe(1);
    expect(await choice.locator('legend').textContent()).toContain('02:30 happens twice');
    expect(await page.locator('#publishAt-error').textContent()).toContain('happens twice');
    const first = page.getByLabel('The first 02:30 (UTC+02:00, before the clocks go back)');
    const second = page.getByLabel('The second 02:30 (UTC+01:00, after the clocks go back)');
    expect(await first.getAttribute('required')).not.toBeNull();
    expect(await first.isChecked()).toBe(false);
    expect(await second.isChecked()).toBe(false);
    expect((await getItem(db(), id)).publishAt).toBe(stored.publishAt);
    await screenshot(page, 'page-says-06-repeated-hour');

    await second.check();
    await page.getByRole('button', { name: 'Reschedule' }).click();
    await page.waitForURL(`${base}/items/${id}`);
    expect((await getItem(db(), id)).publishAt).toBe('2027-10-31T01:30:00.000Z');
    expect(await page.locator('.flash').textContent()).toBe(
      `Scheduled for 2027-10-31 02:30 ${ZONE} (UTC+01:00).`,
    );
    expect(await page.getByLabel('Date and time', { exact: true }).inputValue()).toBe('2027-10-31T02:30');
  });

  it('7. problems are plain sentences with the field label; the alt text is marked required with an image', async () => {
    const { page } = browser;
    const before = await db().selectFrom('items').select('id').execute();
    await page.goto(`${base}/items/new`);
    const alt = page.locator('[data-field="imageAlt"]');
    expect(await alt.locator('label').textContent()).toBe(
      'Image description (alt text) (required with an image)',
    );
    expect(await alt.locator('label').textContent()).not.toContain('(optional)');
    expect(await page.locator('#f-imageAlt').getAttribute('required')).toBeNull();
    await page.getByLabel('Address of the article').fill(URL_OF_ARTICLE);
    await page.getByLabel('Image address').fill('https://example.org/roma.jpg');
    expect(await page.locator('#f-imageAlt').getAttribute('required')).not.toBeNull();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForLoadState('domcontentloaded');
    const summary = page.locator('.error-summary');
    await expect.poll(() => summary.count()).toBe(1);
    const problems = await summary.locator('li').allTextContents();
    expect(problems).toEqual(
      expect.arrayContaining(['Title is required.', 'Alt text is required when there is an image.']),
    );
    expect(problems.join(' ')).not.toMatch(/title:|imageAlt|imageUrl/);
    expect(await page.locator('#f-imageAlt-error').textContent()).toBe(
      'Alt text is required when there is an image.',
    );
    expect(await db().selectFrom('items').select('id').execute()).toHaveLength(before.length);
    // Typing in another field asks the live preview (the API): its problems read the same.
    await page.getByLabel('Summary (optional)', { exact: true }).fill('A week of events.');
    await page.getByLabel('Title', { exact: true }).fill('x');
    await page.getByLabel('Title', { exact: true }).fill('');
    await expect
      .poll(() => page.locator('#f-title-error').textContent(), { timeout: 10_000 })
      .toBe('Title is required.');
    // The API keeps its machine-readable field names.
    const refused = await web.http.inject({
      method: 'POST',
      url: '/api/items',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: { title: '', url: URL_OF_ARTICLE, imageUrl: 'https://example.org/roma.jpg' },
    });
    expect(refused.statusCode).toBe(400);
    expect(Object.keys(refused.json().error.fields)).toEqual(expect.arrayContaining(['title', 'imageAlt']));
    await screenshot(page, 'page-says-07-plain-problems');
  });

  it('9. a draft is deleted after a confirmation; the editor keeps unsaved changes and warns on leaving', async () => {
    const { page } = browser;
    const id = await saveDraft('A draft to delete');
    const remove = page.locator('form.delete-form');
    expect(await remove.count()).toBe(1);
    // Without the box ticked the browser does not send it; sent anyway, the server keeps the item.
    await remove.getByRole('button', { name: 'Delete' }).click();
    expect(page.url()).toBe(`${base}/items/${id}`);
    expect(await findItem(db(), id)).not.toBeNull();
    await remove.getByLabel('Yes, delete this item for good').check();
    await remove.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${base}/items`);
    expect(await page.locator('.flash').textContent()).toBe('Deleted “A draft to delete”.');
    expect(await findItem(db(), id)).toBeNull();
    expect((await api(`/api/items/${id}`)).statusCode).toBe(404);
    expect((await listAudit(db(), 'item', id)).map((e) => [e.action, e.actor])).toContainEqual([
      'deleted',
      'admin@example.org',
    ]);

    // A scheduled item offers no Delete (the API refuses it too).
    const later = await saveDraft('Scheduled, not deletable');
    await page.getByLabel('Date and time', { exact: true }).fill('2099-03-02T10:00');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await page.waitForURL(`${base}/items/${later}`);
    expect((await getItem(db(), later)).status).toBe('scheduled');
    expect(await page.locator('form.delete-form').count()).toBe(0);
    const refused = await web.http.inject({
      method: 'DELETE',
      url: `/api/items/${later}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(refused.statusCode).toBe(409);

    // Unsaved changes: leaving warns, and the copy kept in the browser is offered back.
    await page.goto(`${base}/items/new`);
    await page.getByLabel('Title', { exact: true }).fill('Words not yet saved');
    await page.getByLabel('Address of the article').fill(URL_OF_ARTICLE);
    const warned: string[] = [];
    page.once('dialog', (dialog) => {
      warned.push(dialog.type());
      void dialog.accept();
    });
    await page.getByRole('link', { name: 'Items', exact: true }).click();
    await page.waitForURL(`${base}/items`);
    expect(warned).toEqual(['beforeunload']);

    await page.goto(`${base}/items/new`);
    const offer = page.locator('#draft-restore');
    expect(await offer.isVisible()).toBe(true);
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('');
    await offer.getByRole('button', { name: 'Restore the unsaved changes' }).click();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Words not yet saved');
    expect(await page.getByLabel('Address of the article').inputValue()).toBe(URL_OF_ARTICLE);
    await screenshot(page, 'page-says-09-restored');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\/items\/itm_[0-9a-f]{32}$/);
    const saved = await getItem(db(), itemIdOf(page.url()));
    expect(saved.title).toBe('Words not yet saved');
    // Saved: the copy is gone, and a new editor offers nothing.
    expect(await page.evaluate("localStorage.getItem('herald-draft|new')")).toBeNull();
    await page.goto(`${base}/items/new`);
    expect(await page.locator('#draft-restore').isVisible()).toBe(false);

    // Signing out forgets the unsaved copies kept in this browser.
    await page.getByLabel('Title', { exact: true }).fill('Left on a shared computer');
    await expect.poll(() => page.evaluate("localStorage.getItem('herald-draft|new')")).not.toBeNull();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    expect(
      await page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('herald-draft|'))"),
    ).toEqual([]);
  });
});
