import { DateTime } from 'luxon';
import Parser from 'rss-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFeeds } from '../../../src/feed/build.js';
import { rfc3339Problem, rfc822Problem } from '../../../src/feed/feed-dates.js';
import { makeItem, makeMeta } from '../../helpers/feed-items.js';

const LOCAL_TIMES: [string, string][] = [
  ['2026-03-29T01:30:00', 'Europe/Paris'], // just before the spring-forward gap
  ['2026-03-29T03:30:00', 'Europe/Paris'], // just after it
  ['2026-10-25T02:30:00', 'Europe/Paris'], // the hour that happens twice
  ['2026-03-08T01:59:00', 'America/New_York'],
  ['2026-03-08T03:01:00', 'America/New_York'],
  ['2026-11-01T01:30:00', 'America/New_York'],
  ['2026-04-05T02:30:00', 'Australia/Sydney'],
];
const OLD_DATES = [
  '1970-01-01T00:00:00.000Z',
  '1999-12-31T23:59:59.000Z',
  '2000-02-29T12:00:00.000Z',
  '1901-07-04T08:00:00.000Z',
];

const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

describe('feed dates', () => {
  const instants = [
    ...LOCAL_TIMES.map(([local, zone]) => DateTime.fromISO(local, { zone }).toUTC().toISO() ?? ''),
    ...OLD_DATES,
  ];

  it('writes RFC 822 pubDates (English names, 4-digit year, GMT) for the same instants, whatever the server time zone', async () => {
    process.env.TZ = 'Europe/Paris';
    const items = instants.map((publishedAt) => makeItem({ publishedAt, updatedAt: publishedAt }));
    const rss = buildFeeds(items, makeMeta()).rss;
    const pubDates = [...rss.matchAll(/<pubDate>([^<]+)<\/pubDate>/g)].map((m) => m[1] ?? '');
    expect(pubDates).toHaveLength(instants.length);
    for (const pubDate of pubDates) {
      expect(rfc822Problem(pubDate)).toBeNull();
      expect(pubDate).toMatch(
        /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
      );
    }
    const expected = [...instants]
      .sort()
      .reverse()
      .map((iso) => new Date(iso).getTime());
    expect(pubDates.map((d) => new Date(d).getTime())).toEqual(expected);
    const lastBuildDate = /<lastBuildDate>([^<]+)<\/lastBuildDate>/.exec(rss)?.[1] ?? '';
    expect(rfc822Problem(lastBuildDate)).toBeNull();
    const parsed = await new Parser().parseString(rss);
    expect(parsed.items.map((i) => i.isoDate)).toEqual(
      [...instants]
        .sort()
        .reverse()
        .map((iso) => new Date(iso).toISOString()),
    );
  });

  it('writes RFC 3339 dates in Atom and JSON Feed', () => {
    const items = instants.map((publishedAt) => makeItem({ publishedAt, updatedAt: publishedAt }));
    const feeds = buildFeeds(items, makeMeta());
    const atomDates = [...feeds.atom.matchAll(/<(?:updated|published)>([^<]+)</g)].map((m) => m[1] ?? '');
    expect(atomDates.length).toBe(1 + 2 * instants.length);
    for (const date of atomDates) expect(rfc3339Problem(date)).toBeNull();
    for (const item of JSON.parse(feeds.json).items as { date_published: string; date_modified: string }[]) {
      expect(rfc3339Problem(item.date_published)).toBeNull();
      expect(rfc3339Problem(item.date_modified)).toBeNull();
    }
  });

  it('survives an unreadable stored date (falls back to the update time)', () => {
    const feeds = buildFeeds(
      [makeItem({ publishedAt: 'yesterday', updatedAt: '2026-01-02T03:04:05Z' })],
      makeMeta(),
    );
    expect(feeds.rss).toContain('<pubDate>Fri, 02 Jan 2026 03:04:05 GMT</pubDate>');
  });
});

describe('date checks', () => {
  it.each([
    ['Mon, 02 Mar 2026 14:05:00 GMT', null],
    ['02 Mar 2026 14:05 +0100', null],
    ['Mon, 02 Mar 26 14:05:00 GMT', 'has a 2-digit year'],
    ['Tue, 02 Mar 2026 14:05:00 GMT', 'has the wrong day of the week (Mon)'],
    ['Mon, 02 Mär 2026 14:05:00 GMT', 'is not an RFC 822 date'],
    ['2026-03-02T14:05:00Z', 'is not an RFC 822 date'],
    ['Mon, 31 Feb 2026 14:05:00 GMT', 'is not a real date or time'],
  ])('RFC 822 %s', (value, problem) => {
    const result = rfc822Problem(value);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toContain(problem);
  });

  it.each([
    ['2026-03-02T14:05:00Z', null],
    ['2026-03-02T14:05:00.123+01:00', null],
    ['2026-03-02 14:05:00Z', 'is not an RFC 3339 date'],
    ['2026-02-30T14:05:00Z', 'is not a real date'],
    ['Mon, 02 Mar 2026 14:05:00 GMT', 'is not an RFC 3339 date'],
  ])('RFC 3339 %s', (value, problem) => {
    const result = rfc3339Problem(value);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toContain(problem);
  });
});
