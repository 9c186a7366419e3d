import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { addUser, PASSWORD, startWebApp, type WebApp } from '../helpers/web.js';
import {
  axeViolations,
  browserSkipReason,
  openBrowser,
  screenshot,
  signIn,
  type Browser,
} from '../helpers/browser.js';
import { browseAs } from '../helpers/browser-app.js';
import { createItem } from '../../src/app/items.js';
import { requestPublish } from '../../src/app/publishing.js';
import { getItem } from '../../src/store/items.js';
import { updateUser } from '../../src/store/users.js';

const ZONE = 'Europe/Paris';

describe.skipIf(browserSkipReason !== null)('calendar in Chromium', () => {
  // A scheduled item next week, Wednesday 10:00 in Paris.
  const wednesday = DateTime.now().setZone(ZONE).plus({ weeks: 1 }).startOf('week').plus({ days: 2 });
  let web: WebApp;
  let itemId: string;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    web = await startWebApp('sqlite');
    const editor = await addUser(web.app, 'editor@example.org', 'editor');
    await updateUser(web.app.ctx.store.db, editor.id, { timezone: ZONE });
    const item = await createItem(
      web.app.ctx.store,
      { title: 'Mayors meet in Lyon', url: 'https://example.org/news/lyon', tags: ['cities'] },
      'test',
    );
    await requestPublish(web.app.ctx, item.id, {
      at: wednesday.set({ hour: 10 }).toFormat("yyyy-LL-dd'T'HH:mm"),
      timezone: ZONE,
      actor: 'test',
    });
    for (let i = 0; i < 4; i++) {
      const busy = await createItem(
        web.app.ctx.store,
        { title: `Busy Thursday ${i}`, url: `https://example.org/news/busy-${i}` },
        'test',
      );
      await requestPublish(web.app.ctx, busy.id, {
        at: wednesday
          .plus({ days: 1 })
          .set({ hour: 9 + i })
          .toFormat("yyyy-LL-dd'T'HH:mm"),
        timezone: ZONE,
        actor: 'test',
      });
    }
    itemId = item.id;
    ({ base, browser } = await browseAs(web, 'editor@example.org'));
  }, 120_000);
  // The browser and the server are independent: close both at once.
  afterAll(() => Promise.all([browser?.close(), web?.close()]));

  it('the month and week views are axe-clean', async () => {
    const { page } = browser;
    await page.goto(`${base}/calendar?view=month&date=${wednesday.toISODate()}`);
    await page.locator(`.cal-entry[data-item="${itemId}"]`).waitFor();
    expect(await page.locator(`#d-${wednesday.plus({ days: 1 }).toISODate()} .cal-more`).textContent()).toBe(
      '+1 more',
    );
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'calendar-01-month');
    await page.goto(`${base}/calendar?view=week&date=${wednesday.toISODate()}`);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('dragging a scheduled item to another day asks to confirm, then reschedules it', async () => {
    const { page } = browser;
    await page.goto(`${base}/calendar?view=week&date=${wednesday.toISODate()}`);
    const friday = wednesday.plus({ days: 2 });
    await page.dragAndDrop(`.cal-entry[data-item="${itemId}"]`, `#d-${friday.toISODate()}`, {
      timeout: 10_000,
    });
    const dialog = page.getByRole('dialog', { name: 'Move this item?' });
    await dialog.waitFor();
    expect(await page.getByLabel('New date').inputValue()).toBe(friday.toISODate());
    expect(await page.getByLabel(`New time (${ZONE})`).inputValue()).toBe('10:00');
    await screenshot(page, 'calendar-02-drag-confirm');
    expect((await getItem(web.app.ctx.store.db, itemId)).publishAt).toBe(
      wednesday.set({ hour: 10 }).toUTC().toISO(),
    );
    await page.getByLabel(`New time (${ZONE})`).fill('11:45');
    await dialog.getByRole('button', { name: 'Move it' }).click();
    await expect
      .poll(() => page.locator('.flash').textContent())
      .toBe(`Scheduled for ${friday.toISODate()} 11:45 ${ZONE}.`);
    expect((await getItem(web.app.ctx.store.db, itemId)).publishAt).toBe(
      friday.set({ hour: 11, minute: 45 }).toUTC().toISO(),
    );
    expect(
      await page.locator(`#d-${friday.toISODate()} .cal-entry[data-item="${itemId}"] .when`).textContent(),
    ).toBe('11:45');
  }, 60_000);

  it('the keyboard can move an item too, and Escape leaves it where it is', async () => {
    const { page } = browser;
    await page.goto(`${base}/calendar?view=week&date=${wednesday.toISODate()}`);
    const move = page.getByRole('button', { name: 'Move: 11:45 Mayors meet in Lyon' });
    await move.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Move this item?' }).waitFor();
    expect(await page.evaluate('document.activeElement.id')).toBe('move-date');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
  });

  it('on a 390 px phone each day with something on it is a list, with no sideways scrolling', async () => {
    const phone = await openBrowser({ width: 390, height: 844 });
    try {
      await signIn(phone.page, base, 'editor@example.org', PASSWORD);
      await phone.page.goto(`${base}/calendar?view=month&date=${wednesday.toISODate()}`);
      expect(
        await phone.page.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        ),
      ).toBe(0);
      const thursday = phone.page.locator(`#d-${wednesday.plus({ days: 1 }).toISODate()}`);
      expect(await thursday.getByRole('heading').textContent()).toContain(
        wednesday.plus({ days: 1 }).setLocale('en').toFormat('cccc d LLLL'),
      );
      const empty = await phone.page.locator('.cal-day.empty:not(.today)').first();
      expect(await empty.isVisible()).toBe(false);
      expect(await axeViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'calendar-03-phone');
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.close();
    }
  }, 60_000);

  it('no page broke its content security policy or threw', () => {
    expect(browser.problems).toEqual([]);
    expect(browser.blocked).toEqual([]);
  });
});
