import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, PASSWORD, startWebApp, type WebApp } from '../helpers/web.js';
import { axeViolations, browserSkipReason, openBrowser, screenshot } from '../helpers/browser.js';
import { newsletterOverrides, TOKEN_KEY } from '../helpers/newsletter.js';
import { signToken, tokenUrl } from '../../src/newsletter/unsubscribe-token.js';
import { concrete, seedPageRows, staffPages, type PageIds } from '../helpers/staff-pages.js';

const LANGUAGES = [
  { language: 'en', locale: 'en-GB' },
  { language: 'fr', locale: 'fr-BE' },
];
const WIDTHS = [1280, 390];

/** A file name for a page's screenshot: `/items/:id/edit` → `items-id-edit`. */
const slug = (url: string) => url.replace(/^\//, '').replace(/[/:]+/g, '-').replace(/-$/, '') || 'dashboard';

describe.skipIf(browserSkipReason)(
  'every page: axe-clean, no sideways scroll on a phone, in English and French',
  () => {
    let web: WebApp;
    let base = '';
    let ids: PageIds;
    /** `mail`: a page of a newsletter's links, in the contact's language rather than the reader's. */
    let pages: Array<{ route: string; url: string; mail?: boolean }> = [];

    beforeAll(async () => {
      web = await startWebApp('sqlite', newsletterOverrides(null)); // a newsletter that can be previewed
      await addUser(web.app, 'admin@example.org', 'admin');
      const editorId = (await addUser(web.app, 'ed@example.org', 'editor')).id;
      ids = await seedPageRows(web, editorId);
      base = (await web.http.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
      pages = staffPages(web.http.declaredRoutes)
        .filter(
          (r) =>
            r.method === 'GET' &&
            !r.url.startsWith('/admin/queues') && // bull-board's own pages, not Herald's
            !r.url.includes('*') &&
            !r.url.endsWith('/live') && // fragments of a page, checked inside it
            !r.url.includes('/export') &&
            !r.url.includes('/personal-data') &&
            !r.url.endsWith('.ics') &&
            r.url !== '/submissions' && // a contributor's own page (the sweep signs in as an admin)
            !r.url.startsWith('/channels/callback/'), // a platform's way back; its refusals: connect.test.ts
        )
        .map((r) => ({ route: r.url, url: concrete(r.url, ids) }));
      pages.push({ route: '/login', url: '/login' }, { route: '/subscribe', url: '/subscribe' });
      const link = (route: string, purpose: 'unsubscribe' | 'preferences') => ({
        route,
        url: new URL(
          tokenUrl(
            base,
            route,
            signToken({ purpose, contactId: ids.contact, newsletterId: ids.newsletter }, TOKEN_KEY),
          ),
        ).pathname,
        mail: true,
      });
      pages.push(link('/u', 'unsubscribe'), link('/p', 'preferences'));
    });
    afterAll(async () => web?.close());

    for (const { language, locale } of LANGUAGES) {
      for (const width of WIDTHS) {
        it(`${language}, ${width} px`, async () => {
          expect(pages.length).toBeGreaterThan(15);
          const browser = await openBrowser({ width, height: 900, locale });
          const problems: string[] = [];
          try {
            const { page } = browser;
            await page.goto(`${base}/login`);
            await page.locator('input[name=email]').fill('admin@example.org');
            await page.locator('input[name=password]').fill(PASSWORD);
            await page.locator('form button[type=submit]').click();
            await page.waitForURL(`${base}/`);
            for (const { route, url, mail } of pages) {
              const response = await page.goto(`${base}${url}`);
              const html = (response?.headers()['content-type'] ?? '').startsWith('text/html');
              if (!html || !(await response!.text()).includes('<html')) continue; // files and live fragments
              if (route === '/login' || route === '/subscribe' || mail)
                expect(response?.status(), url).toBeLessThan(400);
              if (!route.endsWith('/preview') && !mail)
                expect(await page.getAttribute('html', 'lang'), url).toBe(language); // a preview is the mail, in the contact's language
              for (const v of await axeViolations(page)) problems.push(`${url}: ${v}`);
              const wide = await page.evaluate(`(() => {
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth <= width) return [];
              return [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > width + 1)
                .slice(-3)
                .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
            })()`);
              if ((wide as string[]).length > 0)
                problems.push(`${url}: scrolls sideways (${(wide as string[]).join(', ')})`);
              await screenshot(page, `pages/${language}-${width}-${slug(route)}`);
            }
            expect(browser.problems).toEqual([]);
          } finally {
            await browser.close();
          }
          expect(problems).toEqual([]);
        }, 240_000);
      }
    }
  },
);
