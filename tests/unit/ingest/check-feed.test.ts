import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFeeds } from '../../../src/feed/build.js';
import { checkFeed } from '../../../src/ingest/check-feed.js';
import type { FeedProblem } from '../../../src/ingest/check-feed.js';
import { hostileItems } from '../../helpers/hostile-corpus.js';
import { makeMeta } from '../../helpers/feed-items.js';

const errors = (problems: FeedProblem[]) => problems.filter((p) => p.severity === 'error');

describe('checkFeed', () => {
  const feeds = buildFeeds(hostileItems(), makeMeta());

  it.each(['rss', 'atom', 'json'] as const)(
    'finds no problem in the %s feed Herald builds from the hostile corpus',
    async (format) => {
      const report = await checkFeed(feeds[format]);
      expect(report.format).toBe(format);
      expect(report.entries).toBe(hostileItems().length);
      expect(report.problems).toEqual([]);
    },
  );

  it('reports the problems of a poor RSS feed', async () => {
    const xml = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title><link>https://www.example.org/</link><description>d</description>
<item><title>A</title><link>/a</link><guid>same</guid><pubDate>Mon, 02 Mar 26 14:05:00 GMT</pubDate></item>
<item><title>B</title><link>https://www.example.org/b</link><guid>same</guid><pubDate>2026-03-02</pubDate></item>
<item><link>https://www.example.org/c</link></item>
</channel></rss>`;
    const report = await checkFeed(xml);
    expect(report.format).toBe('rss');
    expect(errors(report.problems).map((p) => `${p.where}: ${p.message}`)).toEqual([
      'entry 1 (A): link "/a" is relative or not http(s)',
      'entry 1 (A): pubDate "Mon, 02 Mar 26 14:05:00 GMT" has a 2-digit year',
      'entry 2 (B): has the same guid/id as entry 1: same',
      'entry 2 (B): pubDate "2026-03-02" is not an RFC 822 date such as "Mon, 02 Mar 2026 14:05:00 GMT"',
      'entry 3: has no title',
    ]);
    expect(report.problems).toContainEqual({
      severity: 'warning',
      where: 'feed',
      message: 'has no rel="self" link to its own address',
    });
    expect(report.problems).toContainEqual({
      severity: 'warning',
      where: 'entry 3',
      message: 'has no guid: readers fall back to the link to tell entries apart',
    });
  });

  it('reports XML that is not well-formed, with the place', async () => {
    const report = await checkFeed('<rss version="2.0"><channel><title>Fish & Chips</title></channel></rss>');
    expect(report.problems).toEqual([
      {
        severity: 'error',
        where: 'feed',
        message:
          "not well-formed XML: line 1, column 41: '&' does not start a reference (escape it as &amp;)",
      },
    ]);
  });

  it('reports an Atom entry without id or updated date', async () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><link href="https://www.example.org/"/><link rel="self" href="https://www.example.org/atom.xml"/>
<entry><title>x</title><link href="https://www.example.org/x"/></entry></feed>`;
    expect(errors((await checkFeed(xml)).problems).map((p) => p.message)).toEqual([
      'has no id',
      'has no <updated> date',
    ]);
  });

  it('reads the source fixture and flags its relative link and bad date', async () => {
    const xml = await readFile(join(import.meta.dirname, '../../fixtures/feeds/source-rss.xml'), 'utf8');
    const messages = errors((await checkFeed(xml)).problems).map((p) => p.message);
    expect(messages).toEqual([
      'link "/news/new-library" is relative or not http(s)',
      expect.stringContaining('pubDate "not a date"'),
    ]);
  });

  it('reports the problems of a poor JSON Feed', async () => {
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1',
      title: 't',
      home_page_url: '/relative',
      items: [
        { id: 1, content_html: '<p>x</p>' },
        { id: 'a', url: 'https://www.example.org/a', content_text: 'x', date_published: 'yesterday' },
        { id: 'a', url: 'https://www.example.org/b' },
      ],
    });
    const report = await checkFeed(json);
    expect(report.format).toBe('json');
    expect(errors(report.problems).map((p) => `${p.where}: ${p.message}`)).toEqual([
      'feed: home_page_url is not an absolute http(s) URL',
      'entry 1: id must be a string, not a number',
      'entry 2: date_published "yesterday" is not an RFC 3339 date such as "2026-03-02T14:05:00Z"',
      'entry 3: has the same id as entry 2: a',
      'entry 3: has neither content_html nor content_text',
    ]);
    expect(report.problems).toContainEqual({
      severity: 'warning',
      where: 'feed',
      message:
        'is version https://jsonfeed.org/version/1; the current one is https://jsonfeed.org/version/1.1',
    });
  });

  it('reports JSON that does not parse', async () => {
    const report = await checkFeed('{"version": ');
    expect(report.problems[0]?.message).toMatch(/^not valid JSON/);
  });
});
