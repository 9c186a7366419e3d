// A signed-in admin in Chromium on a Herald with the newsletter module on and dry-run channels: the set-up
// the staff-page tests share.
import type { FakeSmtp } from '../fakes/smtp.js';
import { startFakeSmtp } from '../fakes/smtp.js';
import { buildServer } from '../../src/http/server.js';
import type { QueueName } from '../../src/queues/names.js';
import { startTestApp } from './app.js';
import { openBrowser, signIn, type Browser } from './browser.js';
import { newsletterOverrides } from './newsletter.js';
import { addUser, PASSWORD, TOKEN, type WebApp } from './web.js';

export const ADMIN = 'admin@example.org';

export interface StaffBrowser {
  web: WebApp;
  /** The fake SMTP server, or null: then newsletters are written as .eml files to the data directory. */
  smtp: FakeSmtp | null;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startStaffBrowser(
  opts: { smtp?: boolean; workers?: QueueName[]; overrides?: Record<string, unknown> } = {},
): Promise<StaffBrowser> {
  const smtp = opts.smtp === false ? null : await startFakeSmtp();
  const app = await startTestApp('sqlite', {
    ...newsletterOverrides(smtp),
    web: { secureCookies: 'never' },
    ...opts.overrides,
  });
  if (opts.workers) app.startWorkers(opts.workers);
  const http = await buildServer(app.ctx, { apiToken: TOKEN });
  const web: WebApp = {
    app,
    http,
    close: async () => {
      await http.close();
      await app.close();
    },
  };
  await addUser(app, ADMIN, 'admin');
  const base = (await http.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const browser = await openBrowser();
  await signIn(browser.page, base, ADMIN, PASSWORD);
  return {
    web,
    smtp,
    base,
    browser,
    async close() {
      await browser.close();
      await web.close();
      await smtp?.close();
    },
  };
}
