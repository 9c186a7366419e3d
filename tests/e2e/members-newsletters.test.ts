import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/app.js';
import type { FakeSmtp } from '../fakes/smtp.js';
import { contactsCsv, publishedItem } from '../helpers/newsletter.js';
import type { WebApp } from '../helpers/web.js';
import { browserSkipReason, screenshot, type Browser } from '../helpers/browser.js';
import { startStaffBrowser, type StaffBrowser } from '../helpers/staff-browser.js';

const BAD_ROW = 'Nowhere,XX,Bad Row,not-an-email,en';

describe.skipIf(browserSkipReason !== null)('members and newsletters in Chromium', () => {
  let staff: StaffBrowser;
  let smtp: FakeSmtp;
  let web: WebApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    // https public address for the unsubscribe links (RFC 8058); the pages themselves are served over http here.
    staff = await startStaffBrowser({ workers: ['publish', 'channel', 'newsletter'] });
    ({ web, base, browser } = staff);
    smtp = staff.smtp!;
  }, 120_000);
  afterAll(async () => {
    await staff?.close();
  });

  it('imports members from a CSV file with one bad row: checks first, reports the row, then saves the rest', async () => {
    const { page } = browser;
    await page.goto(`${base}/members`);
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({
      name: 'members.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${contactsCsv(5).trimEnd()}\n${BAD_ROW}\n`),
    });
    await expect
      .poll(() => page.getByLabel('CSV content', { exact: true }).inputValue())
      .toContain('not-an-email');
    expect(await page.getByLabel('Only check the file (save nothing)').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { name: 'Import report' }).waitFor();
    expect(await page.locator('.notice').textContent()).toContain('Checked only: nothing is saved yet.');
    const reasons = page.locator('[data-reason]');
    expect(await reasons.filter({ hasText: 'not-an-email' }).locator('[data-lines]').textContent()).toBe('7');
    await screenshot(page, '10-members-import-checked');
    await page.getByRole('button', { name: 'Import these rows' }).click();
    await page.getByText('The valid rows are saved.').waitFor();
    await page.goto(`${base}/members`);
    expect(await page.locator('.muted').filter({ hasText: 'contacts' }).first().textContent()).toContain(
      '5 contacts',
    );
    await screenshot(page, '11-members-list');
  }, 60_000);

  it('previews a newsletter as a chosen contact at phone width, sends a test, then sends it and watches the progress', async () => {
    const { page } = browser;
    await publishedItem(web.app, 1);
    await page.goto(`${base}/newsletters`);
    await page.getByLabel('Subject (optional)', { exact: true }).fill('News from the cities');
    await page.getByRole('checkbox', { name: /Conference report 1/ }).check();
    await page.getByRole('button', { name: 'Create the newsletter' }).click();
    await page.waitForURL(/\/newsletters\/nl_[0-9a-f]{32}$/);
    await page.getByLabel('Preview as').selectOption({ label: 'Contact 3 – City 0 (fr)' });
    await page.getByLabel('Width').selectOption('mobile');
    await page.getByRole('button', { name: 'Show' }).click();
    const frame = page.frameLocator('iframe.mail-preview');
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 10_000 }).toContain('Contact 3');
    expect(await page.locator('iframe.mail-preview').evaluate((el) => el.getBoundingClientRect().width)).toBe(
      375,
    );
    await page.locator('iframe.mail-preview').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await screenshot(page, '12-newsletter-preview-phone');
    await page.getByLabel('Send a test to').fill('proof@example.org');
    await page.getByRole('button', { name: 'Send a test' }).click();
    await page.getByText('Test sent to proof@example.org.').waitFor();
    await waitFor(
      async () => smtp.messages.some((m) => m.envelope.to.includes('proof@example.org')),
      10_000,
      'the test message',
    );
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, send it to 5 recipients' }).click();
    await page.locator('#progress progress[value="100"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#progress-text').textContent()).toContain('5 sent');
    expect(smtp.messages.filter((m) => !m.envelope.to.includes('proof@example.org'))).toHaveLength(5);
    await screenshot(page, '13-newsletter-sent');
  }, 90_000);

  it('no page broke its content security policy or threw', () => {
    expect(browser.problems).toEqual([]);
    // Only the newsletter's logo (an outside address in its template) was asked for, and refused.
    expect([...new Set(browser.blocked)]).toEqual(['https://alliance.example/logo.png']);
  });
});
