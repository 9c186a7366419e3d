import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import ical from 'node-ical';
import { DIALECTS } from '../../../helpers/databases.js';
import { startTestApp, type TestApp } from '../../../helpers/app.js';
import { Client, PASSWORD, TOKEN } from '../../../helpers/web.js';
import { buildServer } from '../../../../src/http/server.js';
import { createStaffUser } from '../../../../src/app/staff.js';
import { createItem } from '../../../../src/app/items.js';
import { publishNow, requestPublish } from '../../../../src/app/publishing.js';
import { getItem } from '../../../../src/store/items.js';
import { insertNewsletter, transitionNewsletter } from '../../../../src/store/newsletters.js';

const decode = (html: string) =>
  html
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** The HTML of one day cell of the calendar. */
function dayCell(html: string, date: string): string {
  const start = html.indexOf(`id="d-${date}"`);
  expect(start, `day ${date} on the page`).toBeGreaterThan(-1);
  const end = html.indexOf('class="cal-day', start);
  return html.slice(start, end === -1 ? undefined : end);
}

/** Text that iCalendar and HTML must escape. */
const HOSTILE = 'Mayors, cities; <b>"plans"</b> \\ 50% & more';

const titlesIn = (cell: string) =>
  [...cell.matchAll(/<span class="when">([\d:]+)<\/span> ([^<]+)<\/a>/g)].map((m) => `${m[1]} ${m[2]}`);

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`calendar pages and feed (${dialect})`, () => {
    const logLines: string[] = [];
    let app: TestApp;
    const ids: Record<string, string> = {};
    let http: FastifyInstance;
    let ny: Client;
    let csrf: string;

    async function scheduled(
      title: string,
      at: string,
      timezone: string,
      extra: Record<string, unknown> = {},
    ) {
      const item = await createItem(
        app.ctx.store,
        { title, url: `https://example.org/news/${encodeURIComponent(title)}`, tags: ['climate'], ...extra },
        'test',
      );
      await requestPublish(app.ctx, item.id, {
        at,
        timezone,
        actor: 'test',
        ...(extra.channels ? { channels: extra.channels as string[] } : {}),
      });
      ids[title] = item.id;
      return item.id;
    }

    beforeAll(async () => {
      app = await startTestApp(dialect);
      // Every log line of the HTTP side, to check that no feed token ever reaches them.
      app.ctx.log = pino(
        { level: 'trace' },
        new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }),
      );
      http = await buildServer(app.ctx, { apiToken: TOKEN });
      await createStaffUser(
        app.ctx.store,
        {
          email: 'ny@example.org',
          role: 'editor',
          password: PASSWORD,
          name: 'NY',
          timezone: 'America/New_York',
        },
        'test',
      );
      ny = new Client(http);
      await ny.signIn('ny@example.org');
      csrf = await ny.csrf();
      // Around the US change of 14 March 2027 (02:00 EST -> 03:00 EDT) and the EU one of 28 March.
      await scheduled('Before the change', '2027-03-14T00:30', 'America/New_York');
      await scheduled('After the change', '2027-03-14T23:30', 'America/New_York');
      await scheduled('Paris early', '2027-03-28T01:30', 'Europe/Paris'); // 00:30Z = 20:30 EDT on the 27th
      for (const hour of ['09', '10', '11', '12', '13'])
        await scheduled(`Busy ${hour}`, `2027-03-17T${hour}:00`, 'America/New_York', {
          tags: ['busy'],
          language: 'fr',
        });
      const published = await createItem(
        app.ctx.store,
        { title: 'Already out', url: 'https://example.org/news/out', tags: [] },
        'test',
      );
      await publishNow(app.ctx, published.id, { channels: null, announce: false, actor: 'test' });
      ids['Already out'] = published.id;
      const { newsletter } = await insertNewsletter(app.ctx.store.db, {
        kind: 'digest',
        itemIds: [],
        subject: 'March digest',
        source: 'staff',
        createdBy: 'test',
      });
      await transitionNewsletter(app.ctx.store.db, newsletter.id, ['draft'], {
        status: 'scheduled',
        scheduledAt: '2027-03-19T13:00:00.000Z',
      });
      ids['March digest'] = newsletter.id;
      await scheduled(HOSTILE, '2027-03-22T10:00', 'America/New_York');
    }, 60_000);
    afterAll(async () => {
      await http?.close();
      await app?.close();
    });

    it('the month view places entries on the local days of the viewer across the DST change', async () => {
      const res = await ny.get('/calendar?view=month&date=2027-03-10');
      expect(res.statusCode).toBe(200);
      const html = decode(res.body);
      expect(html).toContain('Calendar: March 2027');
      expect(titlesIn(dayCell(html, '2027-03-14'))).toEqual([
        '00:30 Before the change',
        '23:30 After the change',
      ]);
      expect(titlesIn(dayCell(html, '2027-03-27'))).toEqual(['20:30 Paris early']);
      expect(dayCell(html, '2027-03-14')).toContain('state-scheduled');
      expect(res.body).toContain('Mayors, cities; &lt;b&gt;');
      expect(res.body).not.toContain('<b>"plans"');
      const digest = dayCell(html, '2027-03-19');
      expect(titlesIn(digest)).toEqual(['09:00 March digest']);
      expect(digest).toContain(`href="/newsletters/${ids['March digest']}"`);
      expect(digest).toContain('Scheduled · newsletter');
      expect(digest).not.toContain('draggable');
      expect(html).toContain('href="/calendar?view=month&date=2027-02-01" rel="prev"');
      expect(html).toContain('href="/calendar?view=month&date=2027-04-01" rel="next"');
    });

    it('a busy day shows three entries and "+2 more", which leads to the week view with all five', async () => {
      const html = decode((await ny.get('/calendar?view=month&date=2027-03-10')).body);
      const cell = dayCell(html, '2027-03-17');
      expect(titlesIn(cell)).toEqual(['09:00 Busy 09', '10:00 Busy 10', '11:00 Busy 11']);
      expect(cell).toContain(
        '<a class="cal-more" href="/calendar?view=week&date=2027-03-17#d-2027-03-17">+2 more</a>',
      );
      const week = decode((await ny.get('/calendar?view=week&date=2027-03-17')).body);
      expect(week).toContain('Calendar: week of 15 March 2027');
      expect(titlesIn(dayCell(week, '2027-03-17'))).toHaveLength(5);
      expect(week).not.toContain('cal-more');
    });

    it('filters by tag, language and state, and keeps the filters in the previous/next links', async () => {
      const html = decode(
        (await ny.get('/calendar?view=month&date=2027-03-10&tag=climate&language=en&state=scheduled')).body,
      );
      expect(html).not.toContain('Busy 09');
      expect(html).toContain('Before the change');
      expect(html).toContain(
        'href="/calendar?view=month&date=2027-04-01&tag=climate&language=en&state=scheduled" rel="next"',
      );
      expect(
        decode((await ny.get('/calendar?view=month&date=2027-03-10&state=published')).body),
      ).not.toContain('Before the change');
      const channel = decode((await ny.get('/calendar?view=month&date=2027-03-10&channel=tw-main')).body);
      expect(channel).toContain('Before the change'); // going to every account, so to this one
      expect(channel).not.toContain('March digest');
      expect(html).not.toContain('March digest');
    });

    it('refuses a bad view or date with a 400 naming the field', async () => {
      const view = await ny.get('/calendar?view=year');
      expect(view.statusCode).toBe(400);
      expect(decode(view.body)).toContain('must be "month" or "week"');
      expect((await ny.get('/calendar?date=2027-02-30')).statusCode).toBe(400);
    });

    it('moving a scheduled item follows the schedule rules: a skipped hour and the past are refused', async () => {
      const id = ids['After the change']!;
      const back = '/calendar?view=week&date=2027-03-14';
      const move = async (date: string, time: string, itemId = id) => {
        const res = await ny.post('/calendar/move', { _csrf: csrf, itemId, date, time, back });
        expect(res.statusCode).toBe(303);
        expect(res.headers.location).toBe(back);
        return decode((await ny.get(back)).body);
      };
      expect(await move('2027-03-14', '02:30')).toContain(
        'Date and time: this time does not exist that night, because the clocks go forward.',
      );
      expect(await move('2020-01-01', '10:00')).toContain('is in the past');
      expect((await getItem(app.ctx.store.db, id)).publishAt).toBe('2027-03-15T03:30:00.000Z');
      expect(await move('2027-03-16', '08:15')).toContain('Scheduled for 2027-03-16 08:15');
      expect(await getItem(app.ctx.store.db, id)).toMatchObject({
        status: 'scheduled',
        publishAt: '2027-03-16T12:15:00.000Z',
        publishTimezone: 'America/New_York',
      });
      expect(await move('2027-03-16', '08:15', ids['Already out']!)).toContain(
        'only a scheduled item can be moved',
      );
      expect(
        (await ny.post('/calendar/move', { itemId: id, date: '2027-03-18', time: '08:15', back })).statusCode,
      ).toBe(403);
    });

    it('the feed lives at a secret address: parsed back with the right instants; regenerated and revoked addresses answer 404', async () => {
      const page = decode((await ny.get('/calendar')).body);
      expect(page).toContain('Make my calendar address');
      expect((await ny.post('/calendar/feed', { _csrf: csrf, back: '/calendar' })).statusCode).toBe(303);
      const url = decode((await ny.get('/calendar')).body).match(
        /id="feed-url" type="text" readonly value="([^"]+)"/,
      )![1]!;
      expect(url).toMatch(/^http:\/\/herald\.test\/calendar\/feed\/[A-Za-z0-9_-]{43}\.ics$/);
      const path = new URL(url).pathname;
      const res = await http.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(res.body).toContain('X-WR-TIMEZONE:America/New_York');
      const events = Object.values(ical.sync.parseICS(res.body)).filter(
        (e) => e?.type === 'VEVENT',
      ) as ical.VEvent[];
      const byTitle = new Map(events.map((e) => [String(e.summary), e]));
      expect(byTitle.get('Before the change')!.start.toISOString()).toBe('2027-03-14T05:30:00.000Z');
      expect(byTitle.get('After the change')!.start.toISOString()).toBe('2027-03-16T12:15:00.000Z');
      expect(byTitle.get('Paris early')!.start.toISOString()).toBe('2027-03-28T00:30:00.000Z');
      const link = byTitle.get('Before the change')!.url as unknown as string | { val: string };
      expect(typeof link === 'string' ? link : link.val).toBe(
        `http://herald.test/items/${ids['Before the change']}`,
      );
      expect(String(byTitle.get('Before the change')!.description)).toContain('scheduled – all channels');
      expect(byTitle.get('Already out')).toBeDefined();
      expect(byTitle.get(HOSTILE)!.start.toISOString()).toBe('2027-03-22T14:00:00.000Z');
      expect(byTitle.get('March digest')!.start.toISOString()).toBe('2027-03-19T13:00:00.000Z');
      expect(String(byTitle.get('March digest')!.description)).toContain('scheduled – newsletter');

      expect((await ny.post('/calendar/feed', { _csrf: csrf, back: '/calendar' })).statusCode).toBe(303);
      expect((await http.inject({ method: 'GET', url: path })).statusCode).toBe(404);
      const next = new URL(
        decode((await ny.get('/calendar')).body).match(
          /id="feed-url" type="text" readonly value="([^"]+)"/,
        )![1]!,
      ).pathname;
      expect(next).not.toBe(path);
      expect((await http.inject({ method: 'GET', url: next })).statusCode).toBe(200);
      // A disabled account's address stops working, and works again when the account is enabled.
      const setDisabled = (disabled: number) =>
        app.ctx.store.db
          .updateTable('staffUsers')
          .set({ disabled })
          .where('email', '=', 'ny@example.org')
          .execute();
      await setDisabled(1);
      expect((await http.inject({ method: 'GET', url: next })).statusCode).toBe(404);
      await setDisabled(0);
      expect((await http.inject({ method: 'GET', url: next })).statusCode).toBe(200);
      expect((await ny.post('/calendar/feed/revoke', { _csrf: csrf, back: '/calendar' })).statusCode).toBe(
        303,
      );
      expect((await http.inject({ method: 'GET', url: next })).statusCode).toBe(404);
      expect((await http.inject({ method: 'GET', url: '/calendar/feed/nonsense.ics' })).statusCode).toBe(404);
      expect(decode((await ny.get('/calendar')).body)).not.toContain('id="feed-url"');

      const tokens = [path, next].map((p) => p.split('/').pop()!.slice(0, -4));
      expect(logLines.length).toBeGreaterThan(0);
      expect(logLines.some((l) => l.includes('/calendar/feed/[redacted].ics'))).toBe(true);
      for (const token of tokens) expect(logLines.filter((l) => l.includes(token))).toEqual([]);
    });

    it('the dashboard links "Going out this week" to the week view', async () => {
      const html = decode((await ny.get('/')).body);
      expect(html).toMatch(
        /<a href="\/calendar\?view=week&date=\d{4}-\d\d-\d\d">See the week in the calendar<\/a>/,
      );
    });
  });
}
