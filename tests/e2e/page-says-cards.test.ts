// Issue 12 point 4: a person types the article's address in the editor and sees, under the Facebook and X
// previews, the link card Herald read from the page's og: tags (a local page here).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason } from '../helpers/browser.js';
import { startStaffBrowser, type StaffBrowser } from '../helpers/staff-browser.js';

const PAGE = `<html><head><meta property="og:title" content="Roma week: dancers take the square">
  <meta property="og:description" content="Seven days of music.">
  <meta property="og:site_name" content="Town News"></head><body></body></html>`;

describe.skipIf(browserSkipReason !== null)('the editor shows the link card of the page (Chromium)', () => {
  let staff: StaffBrowser;
  let site: http.Server;
  let articleUrl: string;

  beforeAll(async () => {
    site = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    articleUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/news/roma-week`;
    staff = await startStaffBrowser({
      smtp: false,
      overrides: {
        channels: {
          accounts: [
            { id: 'tw-main', platform: 'twitter' },
            { id: 'fb-main', platform: 'facebook' },
          ],
        },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await staff?.close();
    await new Promise((resolve) => site?.close(resolve));
  });

  it("typing the address shows the page's og:title in the Facebook and X previews, labelled as read from the page", async () => {
    const { page } = staff.browser;
    await page.goto(`${staff.base}/items/new`);
    await page.getByLabel('Title', { exact: true }).fill('Roma week opens');
    await page.getByLabel('Address of the article').fill(articleUrl);
    for (const account of ['fb-main', 'tw-main']) {
      const card = page.locator(`#previews article[data-account="${account}"] .link-card`);
      await expect
        .poll(() => card.locator('.link-card-title').textContent(), { timeout: 15_000 })
        .toBe('Roma week: dancers take the square');
      expect(await card.textContent()).toContain('Link card as read from the page');
      expect(await card.locator('.link-card-site').textContent()).toBe('Town News');
      expect(await card.locator('.link-card-description').textContent()).toBe('Seven days of music.');
    }
  });
});
