import Parser from 'rss-parser';
import { Feed } from 'feed';
import { describe, expect, it } from 'vitest';
import { buildFeeds } from '../../../src/feed/build.js';
import { itemGuid } from '../../../src/feed/feed-entry.js';
import { removeXmlIllegalChars } from '../../../src/feed/xml-text.js';
import { checkXmlWellFormed } from '../../../src/feed/xml-wellformed.js';
import { hostileItems } from '../../helpers/hostile-corpus.js';
import { decodeBasicHtml, makeItem, makeMeta } from '../../helpers/feed-items.js';

const parser = new Parser();

function expectWellFormed(xml: string): void {
  expect(checkXmlWellFormed(xml)).toMatchObject({ ok: true });
}

describe('buildFeeds with hostile item text', () => {
  const items = hostileItems();
  const feeds = buildFeeds(
    items,
    makeMeta({ title: 'Site & <Co> ]]> \u0001', hubUrl: 'https://hub.example/?a=1&b=2' }),
  );
  const expectedTitles = items.map((item) => removeXmlIllegalChars(item.title).trim());
  const expectedLinks = items.map((item) => new URL(item.url).href);
  const expectedGuids = items.map((item) => itemGuid(item));

  it('writes well-formed RSS and Atom', () => {
    expectWellFormed(feeds.rss);
    expectWellFormed(feeds.atom);
  });

  it('reads back from RSS with the same titles, links and guids, newest first', async () => {
    const rss = await parser.parseString(feeds.rss);
    expect(rss.title).toBe('Site & <Co> ]]>');
    expect(rss.items.map((i) => i.title)).toEqual(expectedTitles);
    expect(rss.items.map((i) => i.link)).toEqual(expectedLinks);
    expect(rss.items.map((i) => i.guid)).toEqual(expectedGuids);
  });

  it('reads back from Atom with the same (HTML-escaped) titles, links and ids', async () => {
    const atom = await parser.parseString(feeds.atom);
    expect(atom.items.map((i) => decodeBasicHtml(i.title ?? ''))).toEqual(expectedTitles);
    expect(atom.items.map((i) => i.link)).toEqual(expectedLinks);
    expect(atom.items.map((i) => (i as { id?: string }).id)).toEqual(expectedGuids);
  });

  it('reads back from JSON Feed with the same titles, links and ids', () => {
    const json = JSON.parse(feeds.json) as {
      version: string;
      items: { title: string; url: string; id: string }[];
    };
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items.map((i) => i.title)).toEqual(expectedTitles);
    expect(json.items.map((i) => i.url)).toEqual(expectedLinks);
    expect(json.items.map((i) => i.id)).toEqual(expectedGuids);
  });

  it('carries no script, event handler or javascript: URL in any content', async () => {
    const rss = await parser.parseString(feeds.rss);
    const atom = await parser.parseString(feeds.atom);
    const json = JSON.parse(feeds.json) as { items: { content_html?: string }[] };
    const contents = [
      ...rss.items.map((i) => String((i as Record<string, unknown>)['content:encoded'] ?? '')),
      ...atom.items.map((i) => i.content ?? ''),
      ...json.items.map((i) => i.content_html ?? ''),
    ];
    expect(contents.join('')).toContain('Hi'); // the script item's content is there
    for (const content of contents) {
      expect(content).not.toMatch(/<script|<iframe|<style|javascript:|\bon[a-z]+\s*=/i);
    }
    for (const raw of [feeds.rss, feeds.atom, feeds.json]) expect(raw).not.toMatch(/onerror|onclick/i);
  });

  it('makes relative links in the body absolute against the item URL', () => {
    const json = JSON.parse(feeds.json) as { items: { title: string; content_html?: string }[] };
    const content = json.items.find((i) => i.title === 'Relative links')?.content_html ?? '';
    expect(content).toContain('href="https://www.example.org/about"');
    expect(content).toContain('href="https://www.example.org/news/2026/other.html"');
    expect(content).toContain('src="https://www.example.org/news/img/a.png"');
  });

  it('keeps the whole 100 kB body, RTL text and emoji', () => {
    const json = JSON.parse(feeds.json) as {
      items: { title: string; content_html?: string; tags?: string[] }[];
    };
    expect(json.items.find((i) => i.title === 'A 100 kB body')?.content_html?.length).toBeGreaterThan(
      100_000,
    );
    expect(feeds.rss).toContain('عربي עברית \u202Emixed RTL\u202C');
    expect(feeds.atom).toContain('Emoji 👩‍👩‍👧 🇫🇷 🎉 𝒳');
    expect(json.items.find((i) => i.title.startsWith('Emoji'))?.tags).toEqual(['🎉', 'fête']);
  });

  it('has the categories, the image enclosure and the hub link', async () => {
    const rss = await parser.parseString(feeds.rss);
    const withTags = rss.items.find((i) => i.title?.startsWith('Fish'));
    expect(withTags?.categories).toEqual(['R&D', 'a<b', 'x"y', "it's"]);
    const withImage = rss.items.find((i) => i.title === 'Image & alt');
    expect(withImage?.enclosure).toEqual({
      url: 'https://cdn.example.org/img.php?id=1&size=%3Clarge%3E',
      length: '0',
      type: 'image/jpeg',
    });
    expect(feeds.rss).toContain('<atom:link href="https://hub.example/?a=1&amp;b=2" rel="hub"/>');
    expect(feeds.atom).toContain('<link rel="hub" href="https://hub.example/?a=1&amp;b=2"/>');
    expect(JSON.parse(feeds.json).hubs).toEqual([{ type: 'WebSub', url: 'https://hub.example/?a=1&b=2' }]);
  });

  it('is needed: the feed package alone writes malformed XML for the same text', () => {
    const feed = new Feed({ title: 'x', id: 'https://x.example/', link: 'https://x.example/' });
    feed.addItem({
      title: 'Two ]]> CDATA ]]> ends',
      link: 'https://x.example/1',
      date: new Date(0),
      category: [{ name: 'a', domain: 'R&D<' }],
    });
    expect(checkXmlWellFormed(feed.rss2()).ok).toBe(false);
    expect(checkXmlWellFormed(feed.atom1()).ok).toBe(false);
  });
});

describe('buildFeeds structure', () => {
  it('lists the latest `limit` published items, newest first, and nothing unpublished', () => {
    const published = Array.from({ length: 60 }, (_, n) =>
      makeItem({ title: `P${n}`, publishedAt: new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString() }),
    );
    const others = [
      makeItem({ title: 'draft', status: 'draft', publishedAt: null }),
      makeItem({ title: 'withdrawn', status: 'withdrawn', publishedAt: '2027-01-01T00:00:00Z' }),
      makeItem({ title: 'scheduled', status: 'scheduled', publishedAt: null }),
    ];
    const json = JSON.parse(buildFeeds([...others, ...published], makeMeta()).json) as {
      items: { title: string }[];
    };
    expect(json.items.map((i) => i.title)).toEqual(Array.from({ length: 50 }, (_, n) => `P${59 - n}`));
    const three = JSON.parse(buildFeeds(published, makeMeta({ limit: 3 })).json) as { items: unknown[] };
    expect(three.items).toHaveLength(3);
  });

  it('keeps the guid when the item is edited', () => {
    const item = makeItem();
    const edited = {
      ...item,
      title: 'New title',
      slug: 'new-slug',
      url: 'https://www.example.org/moved',
      updatedAt: '2026-06-01T00:00:00Z',
      revision: 2,
    };
    const guidIn = (xml: string) => /<guid isPermaLink="false">([^<]+)<\/guid>/.exec(xml)?.[1];
    const before = buildFeeds([item], makeMeta());
    const after = buildFeeds([edited], makeMeta());
    expect(guidIn(after.rss)).toBe(guidIn(before.rss));
    expect(guidIn(before.rss)).toBe(`urn:uuid:${item.id}`);
    expect(JSON.parse(after.json).items[0].id).toBe(JSON.parse(before.json).items[0].id);
  });

  it('gives a non-UUID id a stable tag URI', () => {
    expect(itemGuid({ id: 'abc/1' })).toBe('tag:herald.invalid,2026:item/abc%2F1');
  });

  it('has the self links, language and author in each format', async () => {
    const meta = makeMeta({ author: { name: 'Desk & Co', email: 'desk@example.org' }, language: 'fr' });
    const feeds = buildFeeds([makeItem()], meta);
    expect(feeds.rss).toContain(
      '<atom:link href="https://herald.example.org/rss.xml" rel="self" type="application/rss+xml"/>',
    );
    expect(feeds.rss).toContain('<language>fr</language>');
    expect(feeds.rss).toContain('<author>desk@example.org (Desk &amp; Co)</author>');
    expect(feeds.atom).toContain('<link rel="self" href="https://herald.example.org/atom.xml"/>');
    expect(feeds.atom).toContain('<name>Desk &amp; Co</name>');
    const json = JSON.parse(feeds.json);
    expect(json.feed_url).toBe('https://herald.example.org/feed.json');
    expect(json.authors).toEqual([{ name: 'Desk & Co', url: 'mailto:desk@example.org' }]);
    expect(json.language).toBe('fr');
  });

  it('gives the same bytes for the same items (stable ETag) and an empty feed when there are none', () => {
    const items = [makeItem(), makeItem()];
    expect(buildFeeds(items, makeMeta())).toEqual(buildFeeds([...items].reverse(), makeMeta()));
    const empty = buildFeeds([], makeMeta());
    expectWellFormed(empty.rss);
    expectWellFormed(empty.atom);
    expect(JSON.parse(empty.json).items).toEqual([]);
  });

  it('uses content_text when an item has no HTML body', () => {
    const json = JSON.parse(
      buildFeeds([makeItem({ bodyHtml: '', summary: 'Only a summary' })], makeMeta()).json,
    );
    expect(json.items[0]).toMatchObject({ content_text: 'Only a summary' });
    expect(json.items[0].content_html).toBeUndefined();
  });

  it('falls back to the site URL when an item URL is unusable, instead of failing the build', () => {
    const feeds = buildFeeds([makeItem({ url: 'not a url' })], makeMeta());
    expect(JSON.parse(feeds.json).items[0].url).toBe('https://www.example.org/');
  });

  it('rejects feed meta with a non-http URL', () => {
    expect(() => buildFeeds([], makeMeta({ siteUrl: 'javascript:alert(1)' }))).toThrow(/siteUrl/);
  });
});
