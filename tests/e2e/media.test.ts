import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addUser, startWebApp, type WebApp } from '../helpers/web.js';
import { axeViolations, browserSkipReason, screenshot, type Browser } from '../helpers/browser.js';
import { browseAs } from '../helpers/browser-app.js';
import { picture } from '../helpers/media.js';
import { listDryRunPosts } from '../../src/store/dry-run-posts.js';
import { getItem } from '../../src/store/items.js';
import { findMedia } from '../../src/store/media.js';

const sideways = (page: Page) =>
  page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');

/** axe at a desktop and a phone width, and nothing sticking out sideways at either. */
async function checkBothWidths(page: Page, name: string): Promise<void> {
  for (const [width, height] of [
    [1280, 900],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    expect(await axeViolations(page), `${name} at ${width} px`).toEqual([]);
    expect(await sideways(page), `${name} scrolls sideways at ${width} px`).toBe(0);
    await screenshot(page, `media-${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe.skipIf(browserSkipReason !== null)('pictures in Chromium: upload, preview, publish, library', () => {
  let web: WebApp;
  let base: string;
  let browser: Browser;
  let itemId: string;
  let mediaId: string;

  beforeAll(async () => {
    web = await startWebApp('sqlite');
    web.app.startWorkers();
    await addUser(web.app, 'editor@example.org', 'editor');
    ({ base, browser } = await browseAs(web, 'editor@example.org'));
  }, 120_000);
  afterAll(() => Promise.all([browser?.close(), web?.close()]));

  it('uploads by the button, then by drag-and-drop, and shows the picture in the previews', async () => {
    const { page } = browser;
    await page.goto(`${base}/items/new`);
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Mayors plant an oak in Lyon');
    await page.getByLabel('Address of the article').fill('https://example.org/news/oak');

    // The button, without alt text first: the page asks for it.
    const red = await picture(800, 600).jpeg().toBuffer();
    await page.setInputFiles('#f-imageFile', { name: 'oak.jpg', mimeType: 'image/jpeg', buffer: red });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect
      .poll(() => page.locator('#f-uploadAlt-error').textContent())
      .toMatch(/^is required: describe the picture/);
    expect(await page.evaluate('document.activeElement.id')).toBe('f-uploadAlt');
    await page.getByLabel('Alt text of the picture').fill('A red square');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => page.locator('#upload-status').textContent()).toMatch(/^Uploaded\./);
    const byButton = await page.locator('#f-imageId').inputValue();
    expect(byButton).toMatch(/^med_/);
    expect(await page.locator('#upload-thumb-img').getAttribute('alt')).toBe('A red square');

    // A file that is not a picture, dropped: refused in plain words.
    await page.getByLabel('Alt text of the picture').fill('Not a picture');
    await drop(page, 'notes.png', 'image/png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'));
    await expect
      .poll(() => page.locator('#f-imageFile-error').textContent())
      .toMatch(/^is not a JPEG, PNG, WebP or GIF image/);
    expect(await page.locator('#f-imageId').inputValue()).toBe(byButton);
    expect(browser.problems.splice(0)).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);

    // Drag-and-drop of a real picture replaces the first one.
    await page.getByLabel('Alt text of the picture').fill('Mayors planting an oak tree');
    const blue = await picture(640, 480).png().toBuffer();
    await drop(page, 'oak.png', 'image/png', blue);
    await expect.poll(() => page.locator('#f-imageId').inputValue()).not.toBe(byButton);
    mediaId = await page.locator('#f-imageId').inputValue();
    expect(await page.locator('#upload-thumb-img').getAttribute('alt')).toBe('Mayors planting an oak tree');
    expect((await findMedia(web.app.ctx.store.db, mediaId))!.type).toBe('image/png');

    const previewImage = page.locator('#previews .post-image img').first();
    await expect.poll(() => previewImage.getAttribute('alt')).toBe('Mayors planting an oak tree');
    expect(await previewImage.getAttribute('src')).toMatch(/^\/media\/[0-9a-f]{64}\.png$/);
    await checkBothWidths(page, 'editor');
    expect(browser.problems).toEqual([]);
  }, 90_000);

  it('saves the item with the picture, shows it in the previews, and publishing posts it', async () => {
    const { page } = browser;
    expect(mediaId, 'the upload of the first test').toBeDefined();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\/items\/itm_[0-9a-f]{32}$/);
    itemId = page.url().split('/').pop()!;
    expect((await getItem(web.app.ctx.store.db, itemId)).imageId).toBe(mediaId);

    await page.goto(`${base}/items/${itemId}/edit`);
    expect(await page.locator('#upload-thumb').isVisible()).toBe(true);
    const saved = page.locator('#previews .post-image img').first();
    await expect.poll(() => saved.getAttribute('alt')).toBe('Mayors planting an oak tree');
    await page.getByRole('button', { name: 'Save and publish now' }).click();
    await page.waitForURL(`${base}/items/${itemId}`);

    await expect
      .poll(async () => (await listDryRunPosts(web.app.ctx.store.db)).some((p) => p.itemId === itemId), {
        timeout: 20_000,
      })
      .toBe(true);
    const answer = await page.request.get(`${base}/api/dry-run-posts`);
    const listed = (await answer.json()) as { posts: Array<{ itemId: string; payload: { image: unknown } }> };
    const mine = listed.posts.filter((p) => p.itemId === itemId);
    expect(mine.length).toBeGreaterThan(0);
    for (const post of mine)
      expect(post.payload.image).toMatchObject({
        url: expect.stringMatching(/^http:\/\/herald\.test\/media\/[0-9a-f]{64}\.png$/),
        alt: 'Mayors planting an oak tree',
      });
  }, 60_000);

  it('the library lists the picture with where it is used; an alt edit reaches the feed; deleting it is refused', async () => {
    const { page } = browser;
    expect(itemId, 'the item of the second test').toBeDefined();
    const feed = async () => (await page.request.get(`${base}/feed.xml`)).text();
    await expect.poll(feed, { timeout: 20_000 }).toContain('Mayors planting an oak tree');

    await page.getByRole('link', { name: 'Media library' }).click();
    await page.waitForURL(`${base}/media-library`);
    const entry = page.locator(`#m-${mediaId}`);
    expect(await entry.getByRole('link', { name: 'Mayors plant an oak in Lyon' }).getAttribute('href')).toBe(
      `/items/${itemId}`,
    );
    await checkBothWidths(page, 'library');

    await entry.getByLabel('Alt text').fill('Three mayors planting an oak tree by the river');
    await entry.getByRole('button', { name: 'Save the alt text' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toMatch(/^Alt text saved\./);
    await expect.poll(feed, { timeout: 20_000 }).toContain('Three mayors planting an oak tree by the river');

    await page.locator(`#m-${mediaId}`).getByRole('button', { name: 'Delete' }).click();
    await expect
      .poll(() => page.locator(`#m-${mediaId} [role="alert"]`).textContent())
      .toBe(
        'Not deleted: the item “Mayors plant an oak in Lyon” shows this picture. Remove it from that item first.',
      );
    expect(await findMedia(web.app.ctx.store.db, mediaId)).not.toBeNull();
    // The refusal page answers 409, which Chromium notes in the console.
    expect(browser.problems).toEqual([
      'Failed to load resource: the server responded with a status of 409 (Conflict)',
    ]);
  }, 60_000);
});

/** Drops a file on the editor's upload box, as a person dragging it from their desktop. */
async function drop(page: Page, name: string, type: string, bytes: Buffer): Promise<void> {
  // A string: the tests are compiled without the DOM types.
  const dataTransfer = await page.evaluateHandle(`(() => {
    const data = Uint8Array.from(atob(${JSON.stringify(bytes.toString('base64'))}), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([data], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} }));
    return transfer;
  })()`);
  await page.dispatchEvent('#upload', 'dragover', { dataTransfer });
  await page.dispatchEvent('#upload', 'drop', { dataTransfer });
}
