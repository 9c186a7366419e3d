import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MalformedFeedError,
  entryDate,
  entryKey,
  entryToItemFields,
  parseSourceFeed,
} from '../../../src/ingest/entries.js';
import type { ParsedSourceFeed, SourceEntry } from '../../../src/ingest/entries.js';
import { categoriesToTags, categoryToTag } from '../../../src/ingest/text.js';
import { htmlAsMarkdown } from '../../../src/ingest/body.js';
import { renderMarkdown, sanitizeItemHtml } from '../../../src/domain/markdown.js';

const fixtures = join(import.meta.dirname, '../../fixtures/feeds');
const fixture = (name: string) => readFile(join(fixtures, name), 'utf8');

function context(feed: ParsedSourceFeed, language?: string) {
  return {
    feedLink: feed.link,
    feedLanguage: feed.language,
    feedUrl: 'https://www.example.org/feed.xml',
    language,
  };
}

function mapped(entry: SourceEntry | undefined, feed: ParsedSourceFeed, language?: string) {
  if (!entry) throw new Error('missing entry');
  const result = entryToItemFields(entry, context(feed, language));
  if (!result.ok) throw new Error(`expected a valid entry, got: ${result.reason}`);
  return result;
}

const rssEntry = (inner: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://www.example.org/</link><description>d</description><item>${inner}</item></channel></rss>`;

describe('parseSourceFeed', () => {
  it('reads an RSS feed with its title, link, language and entries', async () => {
    const feed = await parseSourceFeed(await fixture('source-rss.xml'));
    expect(feed).toMatchObject({
      format: 'rss',
      title: 'Ville de Exemple – Actualités',
      link: 'https://www.example.org/',
      language: 'fr-FR',
    });
    expect(feed.entries).toHaveLength(4);
  });

  it('reads an Atom feed and its xml:lang', async () => {
    const feed = await parseSourceFeed(await fixture('source-atom.xml'));
    expect(feed).toMatchObject({
      format: 'atom',
      title: 'Exemple',
      link: 'https://www.example.org/',
      language: 'fr',
    });
  });

  it('accepts a byte-order mark', async () => {
    const feed = await parseSourceFeed(`\uFEFF${await fixture('source-atom.xml')}`);
    expect(feed.entries).toHaveLength(1);
  });

  it.each([
    [
      'an unclosed tag',
      rssEntry('<title>x</item>'),
      /^malformed feed: Unexpected close tag \(line 1, column \d+\)$/,
    ],
    [
      'an HTML page',
      '<!DOCTYPE html><html><body>Not a feed</body></html>',
      /^malformed feed: not an RSS or Atom feed$/,
    ],
    ['an empty document', '  ', /^malformed feed: the document is empty$/],
    [
      'a bad Atom date',
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>x</title><updated>soon</updated></entry></feed>',
      /invalid date/,
    ],
    ['a bare ampersand', rssEntry('<title>Fish & Chips</title>'), /^malformed feed: /],
  ])('rejects %s with a clear reason', async (_name, xml, message) => {
    const error = await parseSourceFeed(xml).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedFeedError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('entryKey and entryDate', () => {
  it('uses the guid, else the Atom id, else the link', () => {
    expect(entryKey({ guid: ' g1 ', link: 'https://x.example/1' })).toBe('g1');
    expect(entryKey({ guid: { _: 'g2', $: { isPermaLink: 'false' } } })).toBe('g2');
    expect(entryKey({ id: 'tag:x,2026:1', link: 'https://x.example/1' })).toBe('tag:x,2026:1');
    expect(entryKey({ link: 'https://x.example/1' })).toBe('https://x.example/1');
    expect(entryKey({ title: 'nothing else' })).toBeNull();
  });

  it('gives the same key when the source edits the title', async () => {
    const before = await parseSourceFeed(rssEntry('<title>Old</title><guid>k-1</guid>'));
    const after = await parseSourceFeed(rssEntry('<title>New</title><guid>k-1</guid>'));
    expect(entryKey(after.entries[0] ?? {})).toBe(entryKey(before.entries[0] ?? {}));
  });

  it('reads the date, or null when it is unreadable', () => {
    expect(entryDate({ isoDate: '2026-03-02T13:05:00.000Z' })?.toISOString()).toBe(
      '2026-03-02T13:05:00.000Z',
    );
    expect(entryDate({ pubDate: 'not a date' })).toBeNull();
  });
});

describe('entryToItemFields', () => {
  it('maps an RSS entry field by field', async () => {
    const feed = await parseSourceFeed(await fixture('source-rss.xml'));
    const result = mapped(feed.entries[0], feed);
    expect(result.key).toBe('cms-1001');
    expect(result.date?.toISOString()).toBe('2026-03-02T13:05:00.000Z');
    expect(result.fields).toMatchObject({
      title: 'New library opens & welcomes readers',
      summary: 'The new library opens on Monday.',
      url: 'https://www.example.org/news/new-library',
      imageUrl: 'https://cdn.example.org/lib.jpg',
      imageAlt: 'New library opens & welcomes readers',
      tags: ['Local-News', 'Économie-emploi'],
      language: 'fr-FR',
      slug: 'new-library-opens-welcomes-readers',
    });
    expect(result.fields.body).toBe(
      htmlAsMarkdown(
        '<p>Full text <img src="https://www.example.org/img/lib.jpg" alt="Library" /> <a href="https://www.example.org/agenda">agenda</a></p>',
      ),
    );
  });

  it('takes the first image enclosure even when another enclosure comes first', async () => {
    const feed = await parseSourceFeed(await fixture('source-rss.xml'));
    const result = mapped(feed.entries[1], feed);
    expect(result.fields).toMatchObject({
      imageUrl: 'https://cdn.example.org/ep.jpg',
      body: htmlAsMarkdown('Only a description, which becomes the body.'),
    });
  });

  it('uses a permalink guid as the link', async () => {
    const feed = await parseSourceFeed(await fixture('source-rss.xml'));
    expect(mapped(feed.entries[3], feed).fields.url).toBe('https://www.example.org/news/permalink');
  });

  it('maps an Atom entry: HTML title, enclosure link, labelled categories, feed language', async () => {
    const feed = await parseSourceFeed(await fixture('source-atom.xml'));
    const result = mapped(feed.entries[0], feed);
    expect(result.key).toBe('tag:example.org,2026:1');
    expect(result.fields).toMatchObject({
      title: 'Café & culture',
      summary: 'A short summary.',
      body: htmlAsMarkdown('<p>Long <em>content</em>.</p>'),
      url: 'https://www.example.org/news/cafe',
      imageUrl: 'https://www.example.org/img/cafe.webp',
      tags: ['Culture-et-loisirs', 'cafe'],
      language: 'fr',
    });
    expect(mapped(feed.entries[0], feed, 'nl').fields.language).toBe('nl');
  });

  it.each([
    ['no guid and no link', '<description>x</description>', 'the entry has neither a guid/id nor a link'],
    [
      'a link that is not http(s)',
      '<title>x</title><link>javascript:alert(1)</link><guid isPermaLink="false">k</guid>',
      'no absolute http(s) link',
    ],
    ['no title', '<link>https://www.example.org/a</link>', 'title is required'],
    [
      'a body over 100 kB',
      `<title>x</title><link>https://www.example.org/a</link><description>${'word '.repeat(25_000)}</description>`,
      'body must be at most 100 kB',
    ],
  ])('reports an entry with %s, without fields', async (_name, inner, reason) => {
    const feed = await parseSourceFeed(rssEntry(inner));
    const result = entryToItemFields(feed.entries[0] ?? {}, context(feed));
    expect(result.ok).toBe(false);
    expect(result).not.toHaveProperty('fields');
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('reports a bad configured language', async () => {
    const feed = await parseSourceFeed(rssEntry('<title>x</title><link>https://www.example.org/a</link>'));
    const result = entryToItemFields(feed.entries[0] ?? {}, context(feed, 'English'));
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringContaining('language must be a BCP 47 language tag'),
    });
  });

  it('cuts an over-long title and summary instead of refusing the entry', async () => {
    const feed = await parseSourceFeed(
      rssEntry(
        `<title>${'long '.repeat(100)}</title><link>https://www.example.org/a</link><description>${'text '.repeat(1000)}</description>`,
      ),
    );
    const { fields } = mapped(feed.entries[0], feed);
    expect(Array.from(fields.title).length).toBeLessThanOrEqual(300);
    expect(fields.title.endsWith('…')).toBe(true);
    expect(Array.from(fields.summary).length).toBeLessThanOrEqual(500);
  });

  it('drops control characters the item rules refuse (NUL)', async () => {
    const feed = await parseSourceFeed(
      rssEntry('<title>a\u0000b\u0001c</title><link>https://www.example.org/a</link>'),
    );
    expect(mapped(feed.entries[0], feed).fields.title).toBe('abc');
  });
});

describe('categoryToTag', () => {
  it.each([
    ['Local News', 'Local-News'],
    ['  Économie & emploi ', 'Économie-emploi'],
    ['C++ / C#', 'C-C'],
    ['#!?', null],
    ['日本 ニュース', '日本-ニュース'],
    ['x'.repeat(60), 'x'.repeat(50)],
  ])('%j -> %j', (category, tag) => {
    expect(categoryToTag(category)).toBe(tag);
  });

  it('keeps at most 20 distinct tags', () => {
    const many = Array.from({ length: 30 }, (_, n) => `tag${n}`);
    expect(categoriesToTags([...many, 'TAG0'])).toHaveLength(20);
    expect(categoriesToTags(['News', 'news', 'NEWS'])).toEqual(['News']);
  });
});

describe('ingested HTML as a Markdown body', () => {
  const tricky = [
    '<p>First</p>',
    '',
    '    <p>indented after a blank line, with *stars* and _underscores_</p>',
    '',
    '',
    '1. not a list',
    '# not a heading',
    '<pre>line one',
    '',
    '  ',
    'line four</pre>',
    '<table><tr><td>a &amp; b</td></tr></table>',
  ].join('\n');

  it('renders back to exactly the sanitised HTML (no code blocks, emphasis or lists added)', () => {
    const html = sanitizeItemHtml(tricky);
    const rendered = renderMarkdown(htmlAsMarkdown(html));
    expect(rendered).toBe(html.trim());
    expect(rendered).not.toContain('<code>');
    expect(rendered).not.toContain('<em>');
    expect(rendered).not.toContain('<ol>');
  });

  it('would not without the wrapping (the reason it exists)', () => {
    const html = sanitizeItemHtml(tricky);
    expect(renderMarkdown(html)).toContain('<pre><code>');
  });

  it('goes through entryToItemFields: an entry with blank lines and indentation renders as sent', async () => {
    const content = '<p>One</p>\n\n    <p>Two *not em*</p>';
    const feed = await parseSourceFeed(
      rssEntry(
        `<title>x</title><link>https://www.example.org/a</link><description><![CDATA[${content}]]></description>`,
      ),
    );
    const result = entryToItemFields(feed.entries[0] ?? {}, context(feed));
    if (!result.ok) throw new Error(result.reason);
    expect(renderMarkdown(result.fields.body, result.fields.url)).toBe(content);
  });

  it('leaves an empty body empty', () => {
    expect(htmlAsMarkdown('  \n ')).toBe('');
  });
});
