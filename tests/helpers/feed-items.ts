import type { NewsItem } from '../../src/domain/item.js';
import type { FeedMeta } from '../../src/feed/build.js';

let counter = 0;

/** A published item; ids are UUIDs so guids are urn:uuid. */
export function makeItem(overrides: Partial<NewsItem> = {}): NewsItem {
  counter++;
  const id = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    id,
    slug: `item-${counter}`,
    title: `Item ${counter}`,
    summary: `Summary ${counter}`,
    body: `Body ${counter}`,
    bodyHtml: `<p>Body ${counter}</p>`,
    url: `https://www.example.org/news/item-${counter}`,
    imageUrl: null,
    imageAlt: null,
    imageId: null,
    tags: [],
    language: 'en',
    translations: {},
    channelTexts: {},
    thread: false,
    status: 'published',
    revision: 1,
    publishedRevision: 1,
    publishAt: null,
    publishTimezone: null,
    publishChannels: null,
    announce: true,
    scheduleToken: null,
    publishedAt: '2026-05-01T10:00:00.000Z',
    withdrawnAt: null,
    createdAt: '2026-05-01T09:00:00.000Z',
    updatedAt: '2026-05-01T10:00:00.000Z',
    ...overrides,
  };
}

export function makeMeta(overrides: Partial<FeedMeta> = {}): FeedMeta {
  return {
    title: 'Example News',
    description: 'News from Example',
    siteUrl: 'https://www.example.org/',
    feedUrls: {
      rss: 'https://herald.example.org/rss.xml',
      atom: 'https://herald.example.org/atom.xml',
      json: 'https://herald.example.org/feed.json',
    },
    language: 'en',
    ...overrides,
  };
}

/** Decodes the HTML escapes that escapeHtml produces (Atom titles and summaries are type="html"). */
export function decodeBasicHtml(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
