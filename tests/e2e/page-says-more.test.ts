// Issue 12, points 10 to 13 and "Copy as new draft": each test does what a person does and checks what the
// page shows against what Herald stored and sent. No SMTP server: newsletters are written as .eml files,
// which the tests read back.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { simpleParser } from 'mailparser';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createItem, editItem } from '../../src/app/items.js';
import { publishNow, requestPublish } from '../../src/app/publishing.js';
import { listAudit } from '../../src/store/audit.js';
import { getItem } from '../../src/store/items.js';
import { eligibleContacts, findContactByEmail, listContacts } from '../../src/store/members.js';
import { getNewsletter, listNewsletters, listRecipients } from '../../src/store/newsletters.js';
import { listDeliveriesForItem } from '../../src/store/deliveries.js';
import { listAccounts } from '../../src/store/accounts.js';
import { PLATFORM_IDS } from '../../src/domain/platform.js';
import { signToken, tokenUrl } from '../../src/newsletter/unsubscribe-token.js';
import { sampleItem, waitFor } from '../helpers/app.js';
import {
  axeViolations,
  browserSkipReason,
  openBrowser,
  screenshot,
  type Browser,
} from '../helpers/browser.js';
import { seedContacts, TOKEN_KEY, waitForStatus } from '../helpers/newsletter.js';
import { startStaffBrowser, type StaffBrowser } from '../helpers/staff-browser.js';

/** 64 characters before the @ (the most an address may have), no place to break a line. */
const LONG_EMAIL = `${'communicationdepartment'.repeat(2)}pressofficeofmayor@municipalityofaverylongnameintheprovinceofantwerp.example.eu`;

describe.skipIf(browserSkipReason !== null)(
  'the staff app does what its pages say, continued (Chromium)',
  () => {
    let staff: StaffBrowser;
    let browser: Browser;
    let base: string;
    /** The announcement sent in test 10 (its web version is test 12's page). */
    let sentId = '';
    let sentTitle = '';

    beforeAll(async () => {
      staff = await startStaffBrowser({ smtp: false, workers: ['publish', 'channel', 'feed', 'newsletter'] });
      ({ browser, base } = staff);
      await seedContacts(staff.web.app, 5); // 3 in English, 2 in French
      browser.page.on('response', (r) => {
        if (r.status() === 404) console.warn(`404 ${r.url()}`);
      });
    }, 120_000);
    afterAll(async () => {
      await staff?.close();
    });

    const app = () => staff.web.app;
    const db = () => app().ctx.store.db;
    const mailDir = () => path.join(app().ctx.config.dataDir, 'mail');
    const emlFiles = () => {
      try {
        return readdirSync(mailDir()).filter((f) => f.endsWith('.eml'));
      } catch {
        return [];
      }
    };
    const parseEml = (file: string) => simpleParser(readFileSync(path.join(mailDir(), file)));

    async function published(n: number, extra: Record<string, unknown> = {}) {
      const item = await createItem(app().ctx.store, sampleItem(n, extra), 'test');
      await requestPublish(app().ctx, item.id, { actor: 'test' });
      return item.id;
    }

    async function newNewsletter(title: string): Promise<string> {
      const { page } = browser;
      await page.goto(`${base}/newsletters`);
      await page.getByRole('checkbox', { name: title }).check();
      await page.getByRole('button', { name: 'Create the newsletter' }).click();
      await page.waitForURL(/\/newsletters\/nl_[0-9a-f]{32}$/);
      return page.url().match(/(nl_[0-9a-f]{32})/)![1]!;
    }

    it('10. Send asks to confirm with the real recipients, subject, sender and preheader, and sends once', async () => {
      const { page } = browser;
      const itemId = await published(1);
      const title = (await getItem(db(), itemId)).title;
      const id = await newNewsletter(title);

      // The draft: the recipients it would really go to, by language (not "0 recipients").
      const audience = await eligibleContacts(db(), 'announcement');
      expect(audience).toHaveLength(5);
      expect(await page.locator('[data-draft-recipients]').textContent()).toBe(
        'If it went out now, it would go to 5 recipients (English (en): 3, French (fr): 2).',
      );
      // Send comes first; Cancel comes after it.
      const actions = await page.locator('section[aria-labelledby="h-progress"] button').allTextContents();
      expect(actions[0]).toBe('Send');
      expect(actions.at(-1)).toBe('Cancel this newsletter');
      // The preview shows the inbox line.
      const inbox = page.locator('section[aria-labelledby="h-preview"] [data-inbox]');
      expect(await inbox.locator('[data-from]').textContent()).toBe(
        'Alliance of Cities <news@alliance.example>',
      );
      expect(await inbox.locator('[data-subject]').textContent()).toBe(title);
      const preheader = (await inbox.locator('[data-preheader]').textContent())!;
      expect(preheader.length).toBeGreaterThan(10);

      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByRole('heading', { name: 'Send this newsletter?' }).waitFor();
      expect((await getNewsletter(db(), id)).status).toBe('draft'); // asking sent nothing
      expect(emlFiles()).toHaveLength(0);
      expect(await page.locator('[data-recipient-languages] tbody tr').allTextContents()).toEqual([
        'English (en)3',
        'French (fr)2',
      ]);
      expect(await page.locator('[data-inbox] [data-subject]').textContent()).toBe(title);
      expect(await page.locator('[data-inbox] [data-preheader]').textContent()).toBe(preheader);
      await screenshot(page, 'page-says-10-confirm-send');
      const confirmForm = await page
        .locator('form[action$="/send"] input')
        .evaluateAll((inputs) => inputs.map((i) => [i.getAttribute('name')!, i.getAttribute('value') ?? '']));
      await page.getByRole('button', { name: 'Yes, send it to 5 recipients' }).click();
      await page.waitForURL(`${base}/newsletters/${id}`);
      await waitForStatus(app(), id, 'sent');

      // What went out is what the page said.
      const files = emlFiles();
      expect(files).toHaveLength(5);
      const mails = await Promise.all(files.map(parseEml));
      for (const mail of mails) {
        expect(mail.from?.value[0]).toMatchObject({
          name: 'Alliance of Cities',
          address: 'news@alliance.example',
        });
        expect(mail.subject).toBe(title); // the item has no French version: the same subject in French
        expect(String(mail.html)).toContain(preheader);
      }
      const to = mails.map((m) => (m.to as { value: Array<{ address: string }> }).value[0]!.address);
      expect(to.sort()).toEqual(audience.map((a) => a.email).sort());

      // The same confirmation sent again (a double click, Back then submit): the one-time token answers
      // with the first result, and nothing is sent twice.
      const again = await page.request.post(`${base}/newsletters/${id}/send`, {
        form: Object.fromEntries(confirmForm),
        maxRedirects: 0,
      });
      expect(again.status()).toBe(303);
      expect(again.headers().location).toBe(`/newsletters/${id}`);
      // Back to the confirmation of a sent newsletter: the page does not offer to send it again.
      await page.goBack();
      await page.waitForURL(`${base}/newsletters/${id}`);
      expect((await getNewsletter(db(), id)).recipientsTotal).toBe(5);
      expect((await listRecipients(db(), id, { limit: 50, offset: 0 })).total).toBe(5);
      expect(
        (await listAudit(db(), 'newsletter', id)).filter((a) => a.action === 'newsletter_send_started'),
      ).toHaveLength(1);
      expect(emlFiles()).toHaveLength(5);
      sentId = id;
      sentTitle = title;

      // A second newsletter with the same item warns that it was already announced.
      const second = await newNewsletter(title);
      const warning = page.locator('[data-already-announced]').first();
      expect(await warning.textContent()).toContain(`“${title}” is already in a newsletter (Sent)`);
      expect(await warning.locator('a').getAttribute('href')).toBe(`/newsletters/${id}`);
      await screenshot(page, 'page-says-10-already-announced');
      await page.getByRole('button', { name: 'Cancel this newsletter' }).click();
      await page.waitForURL(`${base}/newsletters/${second}`);
      expect((await getNewsletter(db(), second)).status).toBe('cancelled');
    }, 120_000);

    it('10. a scheduled item is announced when it is published, from the newsletters page', async () => {
      const { page } = browser;
      const item = await createItem(app().ctx.store, sampleItem(2), 'test');
      const at = DateTime.now().plus({ days: 2 }).toUTC().toISO()!;
      await requestPublish(app().ctx, item.id, { actor: 'test', at });
      await page.goto(`${base}/newsletters`);
      const card = page.locator(`#scheduled [data-item="${item.id}"]`);
      expect(await card.locator('[data-announce]').textContent()).toBe('Not announced');
      await card.getByRole('button', { name: /Announce it when it is published/ }).click();
      await page.waitForURL(`${base}/newsletters#scheduled`);
      expect(await page.locator('.flash').textContent()).toContain(
        'will be announced in the newsletter when it is published',
      );
      expect(await card.locator('[data-announce]').textContent()).toBe('Will be announced when published');
      expect(await getItem(db(), item.id)).toMatchObject({ status: 'scheduled', announce: true });
      expect(emlFiles()).toHaveLength(5); // nothing went out yet

      // When its time comes (what the publish job does), the announcement goes out once.
      const scheduled = await getItem(db(), item.id);
      await publishNow(app().ctx, item.id, {
        actor: 'scheduler',
        expectedScheduleToken: scheduled.scheduleToken!,
      });
      const announcement = await waitFor(
        async () =>
          (await listNewsletters(db(), { limit: 50, offset: 0 })).newsletters.find(
            (n) => n.itemIds.includes(item.id) && n.status === 'sent',
          ),
        30_000,
        'the announcement of the scheduled item',
      ).catch(async (error: Error) => {
        const state = {
          item: await getItem(db(), item.id),
          deliveries: await listDeliveriesForItem(db(), item.id),
          newsletters: (await listNewsletters(db(), { limit: 50, offset: 0 })).newsletters,
        };
        throw new Error(`${error.message}: ${JSON.stringify(state).slice(0, 3000)}`);
      });
      expect(announcement.recipientsTotal).toBe(5);
      expect(emlFiles()).toHaveLength(10);
      await screenshot(page, 'page-says-10-announce-scheduled');
    }, 90_000);

    it('11. a contact is added with a form: errors name the field, "UK" suggests "GB"', async () => {
      const { page } = browser;
      await page.goto(`${base}/members`);
      // The import and the form come before the long list.
      const before = await page.evaluate(`(() => {
      const list = document.querySelector('main table');
      return ['#h-import', '#h-add'].map(
        (h) => !!(document.querySelector(h).compareDocumentPosition(list) & Node.DOCUMENT_POSITION_FOLLOWING),
      );
    })()`);
      expect(before).toEqual([true, true]);
      const total = (await listContacts(db(), { limit: 1, offset: 0 })).total;
      await page.getByLabel('Member (authority)').fill('Ghent');
      await page.getByLabel('Country').fill('UK');
      await page.getByLabel('Email address').fill('not-an-address');
      await page.getByRole('button', { name: 'Add the contact' }).click();
      const summary = page.locator('.error-summary');
      await summary.waitFor();
      const problems = await summary.locator('li').allTextContents();
      expect(problems).toEqual([
        'Country: unknown country code "UK" (did you mean "GB"?)',
        'Email address: invalid email "not-an-address"',
      ]);
      expect(await page.getByLabel('Country').inputValue()).toBe('UK'); // what was typed stays
      expect((await listContacts(db(), { limit: 1, offset: 0 })).total).toBe(total);
      await screenshot(page, 'page-says-11-add-contact-refused');

      await page.getByLabel('Country').fill('BE');
      await page.getByLabel('Email address').fill('press@gent.example.be');
      await page.getByLabel('Name (optional)').fill('Press office');
      await page.locator('#f-language').selectOption('nl');
      await page.getByRole('button', { name: 'Add the contact' }).click();
      await page.waitForURL(`${base}/members`);
      expect(await page.locator('.flash').textContent()).toContain('Added press@gent.example.be.');
      const contact = await findContactByEmail(db(), 'press@gent.example.be');
      expect(contact).toMatchObject({ name: 'Press office', language: 'nl', status: 'active' });
      expect((await listContacts(db(), { limit: 1, offset: 0 })).total).toBe(total + 1);
    }, 60_000);

    it('11. rejected import rows: each reason once with its lines, and a CSV of them to fix', async () => {
      const { page } = browser;
      const csv = [
        'authority,country,name,email,language',
        'Leeds,UK,Ann,ann@leeds.example.uk,en',
        'York,UK,Bob,bob@york.example.uk,en',
        'Lyon,FR,Cleo,not-an-email,fr',
        'Lille,FR,Dan,dan@lille.example.fr,fr',
      ].join('\n');
      await page.goto(`${base}/members`);
      await page.getByLabel('CSV content', { exact: true }).fill(csv);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { name: 'Import report' }).waitFor();
      const reasons = await page.locator('[data-reason]').allTextContents();
      expect(reasons).toEqual([
        'Country: unknown country code "UK" (did you mean "GB"?) – 2 rows; Lines 2, 3',
        'Email address: invalid email "not-an-email" – 1 row; Lines 4',
      ]);
      await screenshot(page, 'page-says-11-import-reasons');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download the rejected rows (CSV) to fix them' }).click(),
      ]);
      const file = readFileSync((await download.path())!, 'utf8');
      const rows = parse(file, { bom: true }) as string[][];
      expect(rows).toEqual([
        ['authority', 'country', 'name', 'email', 'language', 'reason'],
        [
          'Leeds',
          'UK',
          'Ann',
          'ann@leeds.example.uk',
          'en',
          'unknown country code "UK" (did you mean "GB"?)',
        ],
        ['York', 'UK', 'Bob', 'bob@york.example.uk', 'en', 'unknown country code "UK" (did you mean "GB"?)'],
        ['Lyon', 'FR', 'Cleo', 'not-an-email', 'fr', 'invalid email "not-an-email"'],
      ]);
      // The checked file saved nothing; the good row is saved only when asked.
      expect(await findContactByEmail(db(), 'dan@lille.example.fr')).toBeNull();
    }, 60_000);

    it('12. the public pages fit a 390 px phone, with landmarks, and pass axe', async () => {
      expect(sentId).not.toBe('');
      const { page } = browser;
      await page.goto(`${base}/members`);
      await page.getByLabel('Member (authority)').fill('Antwerp');
      await page.getByLabel('Country').fill('BE');
      await page.getByLabel('Email address').fill(LONG_EMAIL);
      await page.getByRole('button', { name: 'Add the contact' }).click();
      await page.waitForURL(`${base}/members`);
      const contact = (await findContactByEmail(db(), LONG_EMAIL))!;
      const link = (p: string, purpose: 'unsubscribe' | 'preferences' | 'web') =>
        tokenUrl(base, p, signToken({ purpose, contactId: contact.id, newsletterId: sentId }, TOKEN_KEY));

      const phone = await openBrowser({ width: 390, height: 844 });
      try {
        const fits = () => phone.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
        for (const [name, url] of [
          ['unsubscribe', link('/u', 'unsubscribe')],
          ['preferences', link('/p', 'preferences')],
          ['web-version', link('/w', 'web')],
        ] as const) {
          await phone.page.goto(url);
          expect(await fits(), name).toBe(true);
          expect(await axeViolations(phone.page), name).toEqual([]);
          expect(await phone.page.locator('main').count(), name).toBe(1);
          expect(await phone.page.locator('h1').count(), name).toBe(1);
          await screenshot(phone.page, `page-says-12-${name}-390`);
        }
        expect(await phone.page.locator('h1').textContent()).toBe(sentTitle); // the web version's heading: the subject
        await phone.page.goto(link('/p', 'preferences'));
        expect(await phone.page.locator('h1').textContent()).toBe('Your newsletter preferences');
        await phone.page.goto(link('/u', 'unsubscribe'));
        await phone.page.getByRole('button', { name: 'Unsubscribe' }).click();
        await phone.page.getByRole('heading', { name: /is unsubscribed/ }).waitFor();
        expect(await fits()).toBe(true);
        expect(await axeViolations(phone.page)).toEqual([]);
        expect((await findContactByEmail(db(), LONG_EMAIL))!.status).toBe('unsubscribed');
        await screenshot(phone.page, 'page-says-12-unsubscribed-390');
      } finally {
        await phone.close();
      }

      // The queue board's menu leads back to Herald.
      await page.goto(`${base}/admin/queues`);
      await page.locator('header ul li:last-child button').click();
      const back = page.getByRole('menuitem', { name: 'Back to Herald' });
      await back.click();
      await page.waitForURL(`${base}/`);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    }, 90_000);

    it('13. "1 draft", the same channel order on every row, and no server path in the mail answers', async () => {
      const { page } = browser;
      await createItem(app().ctx.store, sampleItem(30), 'test');
      await page.goto(`${base}/`);
      const counts = (await page.locator('main > p.muted').first().textContent())!;
      const stored = await db()
        .selectFrom('items')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const n = (s: string) => Number(stored.find((r) => r.status === s)?.n ?? 0);
      expect(n('draft')).toBe(1);
      expect(counts).toContain('Items: 1 draft,');
      expect(counts).toContain(`${n('published')} published`);

      // Every row lists its targets in one order: the platform table's, then the account name.
      await waitFor(
        async () => {
          const items = await db()
            .selectFrom('items')
            .select('id')
            .where('status', '=', 'published')
            .execute();
          const all = (await Promise.all(items.map((i) => listDeliveriesForItem(db(), i.id)))).flat();
          return all.every((d) => d.status === 'done');
        },
        30_000,
        'deliveries done',
      );
      await page.reload();
      const accounts = await listAccounts(db());
      const expected = [...accounts]
        .sort(
          (a, b) =>
            PLATFORM_IDS.indexOf(a.platform) - PLATFORM_IDS.indexOf(b.platform) ||
            a.name.localeCompare(b.name),
        )
        .map((a) => a.id);
      const rows = await page
        .locator('ul.recent > li')
        .evaluateAll((lis) =>
          lis.map((li) =>
            [...li.querySelectorAll('li[data-target]')].map((t) => t.getAttribute('data-target')),
          ),
        );
      expect(rows.length).toBeGreaterThan(1);
      for (const row of rows) {
        const channels = row.filter((t) => t && accounts.some((a) => a.id === t));
        expect(channels).toEqual(expected.filter((id) => channels.includes(id)));
        expect(row.slice(channels.length)).toEqual(row.filter((t) => !channels.includes(t)));
      }
      await screenshot(page, 'page-says-13-dashboard');

      // The newsletter's recipients: "written to the mail folder", never the server's path.
      await page.goto(`${base}/newsletters/${sentId}#recipients`);
      const answers = await page.locator('#recipients tbody tr td:nth-child(3)').allTextContents();
      expect(answers).toHaveLength(5);
      const stored5 = (await listRecipients(db(), sentId, { limit: 50, offset: 0 })).recipients;
      for (const r of stored5) expect(r.reply).toContain(mailDir()); // what the store keeps
      for (const answer of answers) {
        expect(answer).toMatch(/^Written to the mail folder as message <.+>/);
        expect(answer).not.toContain(mailDir());
      }
      expect(await page.content()).not.toContain(mailDir());
      expect(await page.locator('#recipients .muted').first().textContent()).toBe('5 recipients');
      await screenshot(page, 'page-says-13-recipients');
    }, 90_000);

    it('"Copy as new draft" makes a new draft with the same content, plan and image, and opens it in the editor', async () => {
      const { page } = browser;
      const source = await createItem(
        app().ctx.store,
        sampleItem(40, {
          tags: ['Roma inclusion', 'housing'],
          imageUrl: 'https://example.org/img/roma.jpg',
          imageAlt: 'People at the Roma week',
          translations: { fr: { title: 'Semaine rom', summary: 'Résumé en français', body: '' } },
          channelTexts: { twitter: 'Our call is open! https://example.org/news/40' },
        }),
        'test',
      );
      await editItem(app().ctx.store, source.id, { summary: 'Second revision summary.' }, 'test');
      const at = DateTime.now().plus({ days: 3 }).toUTC().toISO()!;
      await requestPublish(app().ctx, source.id, { actor: 'test', at });
      const original = await getItem(db(), source.id);
      await page.goto(`${base}/items/${source.id}`);
      await page.getByRole('button', { name: 'Copy as new draft' }).click();
      await page.waitForURL(/\/items\/itm_[0-9a-f]{32}\/edit$/);
      const copyId = page.url().match(/(itm_[0-9a-f]{32})/)![1]!;
      expect(copyId).not.toBe(source.id);
      expect(await page.locator('.flash').textContent()).toContain(`copied from “${original.title}”`);
      expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(original.title);
      await screenshot(page, 'page-says-copy-editor');

      const copy = await getItem(db(), copyId);
      expect(copy).toMatchObject({
        status: 'draft',
        title: original.title, // not prefixed
        summary: 'Second revision summary.',
        body: original.body,
        url: original.url,
        tags: original.tags,
        imageUrl: original.imageUrl,
        imageAlt: original.imageAlt,
        translations: original.translations,
        channelTexts: original.channelTexts,
        publishChannels: original.publishChannels,
        announce: original.announce,
        publishAt: null,
        revision: 1,
      });
      expect(copy.slug).not.toBe(original.slug);
      expect((await getItem(db(), source.id)).status).toBe('scheduled'); // the original is untouched
      expect((await listAudit(db(), 'item', copyId)).map((a) => [a.action, a.details.copyOf])).toEqual([
        ['created', source.id],
      ]);
      expect((await listAudit(db(), 'item', source.id)).at(-1)).toMatchObject({
        action: 'copied',
        details: { copy: copyId },
      });
      await page.goto(`${base}/items/${copyId}`);
      expect(await page.locator('.timeline').textContent()).toContain('Created as a copy of another item');
    }, 60_000);

    it('no page broke its content security policy or threw', () => {
      // The refused forms answer 400 and 409 on purpose; Chromium logs those as failed loads.
      const refused = /^Failed to load resource: the server responded with a status of (400|409) /;
      expect(browser.problems.filter((p) => !refused.test(p))).toEqual([]);
    });
  },
);
