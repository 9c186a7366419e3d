// The public subscription pages in Chromium: the form, "check your inbox", the confirmation page and
// the confirmed page are axe-clean (WCAG 2.1 A/AA), usable by their labels, and work under their CSP
// (no script); the whole double opt-in runs through them and the SMTP test server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.js';
import { startNewsletterApp } from '../helpers/newsletter.js';
import type { TestApp } from '../helpers/app.js';
import {
  axeViolations,
  browserSkipReason,
  openBrowser,
  screenshot,
  type Browser,
} from '../helpers/browser.js';
import { buildServer } from '../../src/http/server.js';
import { findContactByEmail } from '../../src/store/members.js';

describe.skipIf(browserSkipReason !== null)('public subscription pages in Chromium', () => {
  let smtp: FakeSmtp;
  let app: TestApp;
  let http: FastifyInstance;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    app = await startNewsletterApp('sqlite', smtp);
    http = await buildServer(app.ctx, { apiToken: 'test-token-0123456789abcdef' });
    base = (await http.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await app?.close();
    await smtp?.close();
  });

  it('subscribes through the form and the confirmation link, every page axe-clean', async () => {
    const { page } = browser;
    await page.goto(`${base}/subscribe?lang=fr`);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Adresse e-mail').fill('lecteur@example.org');
    await page.getByLabel('Le récapitulatif régulier de tout ce qui est publié').uncheck();
    await page.getByRole('button', { name: 'M’abonner' }).click();
    await page.waitForURL(`${base}/subscribe`);
    expect(await page.locator('h1').textContent()).toMatch(/lien de confirmation/);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, '30-subscribe-requested');

    const mail = await simpleParser(smtp.messages.at(-1)!.raw);
    const link = new URL(/https:\/\/herald\.test\/subscribe\/confirm\/\S+/.exec(mail.text ?? '')![0]);
    await page.goto(`${base}${link.pathname}`);
    expect(await axeViolations(page)).toEqual([]);
    expect(await findContactByEmail(app.ctx.store.db, 'lecteur@example.org')).toBeNull();
    await page.getByRole('button', { name: 'Confirmer mon abonnement' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toMatch(/est abonné/);
    expect(await axeViolations(page)).toEqual([]);
    expect(await findContactByEmail(app.ctx.store.db, 'lecteur@example.org')).toMatchObject({
      authorityId: null,
      language: 'fr',
      subscriptions: { announcements: true, digest: false },
    });
    expect(browser.problems).toEqual([]);
  });

  it('shows each problem next to its field, axe-clean', async () => {
    const { page } = browser;
    await page.goto(`${base}/subscribe`);
    await page.getByLabel('Email address').fill('someone@localhost'); // the browser's own check passes it, Herald's does not
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#email-error').textContent()).toMatch(/valid email/);
    expect(await axeViolations(page)).toEqual([]);
  });
});
