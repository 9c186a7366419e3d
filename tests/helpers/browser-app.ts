import { liveAccounts, SECRET_KEY, startFakes, type Fakes } from './social.js';
import { addUser, PASSWORD, startWebApp, type WebApp } from './web.js';
import { openBrowser, signIn, type Browser } from './browser.js';

export interface BrowserApp {
  fakes: Fakes;
  web: WebApp;
  /** The server's address, as the browser reaches it. */
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Herald with all its workers and live adapters pointed at the Twitter/Facebook fakes, listening, and a Chromium. */
export async function startBrowserApp(): Promise<BrowserApp> {
  const fakes = await startFakes();
  const web = await startWebApp('sqlite', {
    secretKey: SECRET_KEY,
    channels: { timeoutMs: 2_000, accounts: liveAccounts(fakes) },
  });
  web.app.startWorkers();
  const base = (await web.http.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const browser = await openBrowser();
  return {
    fakes,
    web,
    base,
    browser,
    async close() {
      await browser.close();
      await web.close();
      await fakes.close();
    },
  };
}

/**
 * Serves `web` on a local port (`port`, or any free one) and signs a fresh Chromium in as `email` (a staff
 * user that exists).
 */
export async function browseAs(
  web: WebApp,
  email: string,
  port = 0,
): Promise<{ base: string; browser: Browser }> {
  const base = (await web.http.listen({ port, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const browser = await openBrowser();
  await signIn(browser.page, base, email, PASSWORD);
  return { base, browser };
}

/** The same, as a new admin (admin@example.org). */
export async function browseAsAdmin(web: WebApp, port = 0): Promise<{ base: string; browser: Browser }> {
  await addUser(web.app, 'admin@example.org', 'admin');
  return browseAs(web, 'admin@example.org', port);
}
