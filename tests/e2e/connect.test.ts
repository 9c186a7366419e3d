import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/app.js';
import { browserSkipReason, type Browser } from '../helpers/browser.js';
import { browseAsAdmin } from '../helpers/browser-app.js';
import { startConnectFakes, type ConnectFakes } from '../helpers/connect.js';
import { publishSample } from '../helpers/publish.js';
import { startWebApp, type WebApp } from '../helpers/web.js';

/** A port free now, so that Herald's public address (the OAuth redirect) is known before it starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(browserSkipReason !== null)(
  'an admin connects X and Mastodon in Chromium, then posts go out through them',
  () => {
    let fakes: ConnectFakes;
    let web: WebApp;
    let browser: Browser;
    let base: string;

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      fakes = await startConnectFakes(base);
      web = await startWebApp('sqlite', fakes.config);
      web.app.startWorkers(['channel', 'publish']);
      ({ browser } = await browseAsAdmin(web, port));
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await web?.close();
      await fakes?.close();
    });

    it('connects an X account with the Connect button, and a post goes out through it', async () => {
      const { page } = browser;
      await page.goto(`${base}/channels`);
      await page.getByRole('button', { name: 'Connect an X account' }).click();
      await page.getByRole('link', { name: /^Continue to 127\.0\.0\.1/ }).click();
      await page.waitForURL(`${base}/channels`);
      await expect.poll(() => page.getByText('@herald_test is connected.').count()).toBe(1);
      expect(await page.locator('tr[data-account="twitter-herald_test"]').count()).toBe(1);
      await publishSample(web.app.ctx, 1);
      await waitFor(async () => fakes.twitter.posts.length === 1, 20_000, 'posted on X');
    });

    it('connects a Mastodon account by naming the instance, and a post goes out through it', async () => {
      const { page } = browser;
      await page.goto(`${base}/channels`);
      await page.getByLabel('Instance').fill(fakes.mastodon.url);
      await page.getByRole('button', { name: 'Connect a Mastodon account' }).click();
      await page.getByRole('link', { name: /^Continue to 127\.0\.0\.1/ }).click();
      await page.waitForURL(`${base}/channels`);
      const row = page.locator('tr[data-account="mastodon-herald-127-0-0-1"]');
      expect(await row.count()).toBe(1);
      expect(await row.getByRole('button', { name: 'Disconnect' }).count()).toBe(1);
      await publishSample(web.app.ctx, 2);
      await waitFor(async () => fakes.mastodon.statuses.length === 1, 20_000, 'posted on Mastodon');
    });
  },
);
