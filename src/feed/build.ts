import { Feed } from 'feed';
import type { Item as FeedPackageItem } from 'feed';
import type { NewsItem } from '../domain/item.js';
import { absoluteHttpUrl, toFeedEntry } from './feed-entry.js';
import type { FeedEntry } from './feed-entry.js';
import { DEFAULT_FEED_LIMIT, latestFeedItems } from './select.js';
import { XmlSlots } from './xml-slots.js';
import { escapeHtml, removeXmlIllegalChars } from './xml-text.js';

export interface FeedAuthor {
  name: string;
  email?: string | undefined;
  url?: string | undefined;
}

/** What a feed says about itself. URLs must be absolute http(s). */
export interface FeedMeta {
  title: string;
  description: string;
  /** The website (channel link, JSON Feed home_page_url); also the link of an item without a usable URL. */
  siteUrl: string;
  /** This feed's own addresses (atom:link rel="self", feed_url); see feedUrls() in variants.ts. */
  feedUrls: { rss: string; atom: string; json: string };
  /** BCP 47 language of the feed, e.g. "en". */
  language: string;
  author?: FeedAuthor | undefined;
  /** WebSub hub, advertised as rel="hub" (RSS, Atom) and in JSON Feed `hubs`. */
  hubUrl?: string | undefined;
  /** How many items, newest first. Default 50. */
  limit?: number | undefined;
  /** Feed-level updated time. Default: the newest change among the included items (so equal input gives equal bytes). */
  updated?: Date | undefined;
}

export interface BuiltFeeds {
  rss: string;
  atom: string;
  json: string;
}

/** RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the latest published items, well-formed whatever their text. */
export function buildFeeds(items: readonly NewsItem[], meta: FeedMeta): BuiltFeeds {
  const site = requireHttpUrl(meta.siteUrl, 'siteUrl');
  const entries = latestFeedItems(items, meta.limit ?? DEFAULT_FEED_LIMIT).map((item) =>
    toFeedEntry(item, site),
  );
  return buildFeedsFromEntries(entries, meta);
}

/** Builds from entries already selected, ordered and prepared (lets a rebuild prepare each item once for all variants). */
export function buildFeedsFromEntries(entries: readonly FeedEntry[], meta: FeedMeta): BuiltFeeds {
  const resolved = resolveMeta(entries, meta);
  return {
    rss: buildRss(entries, resolved),
    atom: buildAtom(entries, resolved),
    json: buildJsonFeed(entries, resolved),
  };
}

interface ResolvedMeta {
  title: string;
  description: string;
  siteUrl: string;
  feedUrls: { rss: string; atom: string; json: string };
  language: string;
  author: FeedAuthor;
  hubUrl: string | null;
  updated: Date;
}

function resolveMeta(entries: readonly FeedEntry[], meta: FeedMeta): ResolvedMeta {
  const title = removeXmlIllegalChars(meta.title).trim();
  const authorUrl = meta.author?.url ? requireHttpUrl(meta.author.url, 'author.url') : undefined;
  return {
    title,
    description: removeXmlIllegalChars(meta.description).trim() || title,
    siteUrl: requireHttpUrl(meta.siteUrl, 'siteUrl'),
    feedUrls: {
      rss: requireHttpUrl(meta.feedUrls.rss, 'feedUrls.rss'),
      atom: requireHttpUrl(meta.feedUrls.atom, 'feedUrls.atom'),
      json: requireHttpUrl(meta.feedUrls.json, 'feedUrls.json'),
    },
    language: removeXmlIllegalChars(meta.language).trim(),
    // Atom requires an author on the feed or on every entry; the site's name stands in.
    author: meta.author
      ? {
          name: removeXmlIllegalChars(meta.author.name).trim() || title,
          email: cleanOptional(meta.author.email),
          url: authorUrl,
        }
      : { name: title },
    hubUrl: meta.hubUrl ? requireHttpUrl(meta.hubUrl, 'hubUrl') : null,
    updated: meta.updated ?? newestUpdate(entries),
  };
}

function newestUpdate(entries: readonly FeedEntry[]): Date {
  const times = entries.map((entry) => entry.updated.getTime());
  return new Date(times.length > 0 ? Math.max(...times) : 0);
}

function requireHttpUrl(value: string, field: string): string {
  const url = absoluteHttpUrl(value);
  if (url === null) throw new Error(`feed meta ${field} must be an absolute http(s) URL, got "${value}"`);
  return url;
}

function cleanOptional(value: string | undefined): string | undefined {
  const cleaned = value === undefined ? '' : removeXmlIllegalChars(value).trim();
  return cleaned === '' ? undefined : cleaned;
}

function buildRss(entries: readonly FeedEntry[], meta: ResolvedMeta): string {
  const slots = new XmlSlots();
  const feed = newFeedPackage(meta, slots, meta.feedUrls.rss);
  for (const entry of entries) {
    feed.addItem({
      ...commonItemFields(entry, slots),
      title: slots.required(entry.title), // RSS title: plain text
      description: slots.slot(escapeHtml(entry.summary)), // RSS description: HTML
      // RSS <author> must be an e-mail address; a name alone is in Atom and JSON Feed only.
      author: meta.author.email
        ? [{ name: slots.required(meta.author.name), email: slots.required(meta.author.email) }]
        : undefined,
      category: entry.tags.map((tag) => ({ name: slots.required(tag) })),
      image: entry.image ? { url: entry.image.url, type: entry.image.type, length: 0 } : undefined,
    });
  }
  return slots.fill(feed.rss2());
}

function buildAtom(entries: readonly FeedEntry[], meta: ResolvedMeta): string {
  const slots = new XmlSlots();
  const feed = newFeedPackage(meta, slots, meta.feedUrls.atom);
  for (const entry of entries) {
    feed.addItem({
      ...commonItemFields(entry, slots),
      // The package writes these as type="html", so they carry HTML-escaped text.
      title: slots.required(escapeHtml(entry.title)),
      description: slots.slot(escapeHtml(entry.summary)),
      category: entry.tags.map((tag) => ({ term: slots.required(tag) })),
      // No image: the package derives the enclosure type from the file extension ("image/jpg", or
      // garbage for URLs without one). Atom readers get the image from RSS/JSON or the content.
    });
  }
  return slots.fill(feed.atom1());
}

function commonItemFields(entry: FeedEntry, slots: XmlSlots): Omit<FeedPackageItem, 'title'> {
  return {
    id: entry.guid,
    guid: entry.guid,
    link: entry.url,
    date: entry.updated,
    published: entry.published,
    content: slots.slot(entry.contentHtml),
  };
}

function newFeedPackage(meta: ResolvedMeta, slots: XmlSlots, selfUrl: string): Feed {
  return new Feed({
    id: selfUrl,
    title: slots.required(meta.title),
    description: slots.slot(meta.description),
    link: meta.siteUrl,
    feed: selfUrl,
    hub: meta.hubUrl ?? undefined,
    language: slots.slot(meta.language),
    updated: meta.updated,
    generator: 'Herald',
    author: {
      name: slots.required(meta.author.name),
      email: meta.author.email ? slots.required(meta.author.email) : undefined,
      link: meta.author.url,
    },
  });
}

/** JSON Feed 1.1 (the `feed` package writes version 1 with the 1.0 `author` field, so it is built here). */
function buildJsonFeed(entries: readonly FeedEntry[], meta: ResolvedMeta): string {
  const authorUrl = meta.author.url ?? (meta.author.email ? `mailto:${meta.author.email}` : undefined);
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: meta.siteUrl,
    feed_url: meta.feedUrls.json,
    description: meta.description,
    language: meta.language || undefined,
    authors: [{ name: meta.author.name, url: authorUrl }],
    hubs: meta.hubUrl ? [{ type: 'WebSub', url: meta.hubUrl }] : undefined,
    items: entries.map((entry) => ({
      id: entry.guid,
      url: entry.url,
      title: entry.title,
      summary: entry.summary || undefined,
      // JSON Feed needs content_html or content_text.
      ...(entry.contentHtml
        ? { content_html: entry.contentHtml }
        : { content_text: entry.summary || entry.title }),
      image: entry.image?.url,
      date_published: entry.published.toISOString(),
      date_modified: entry.updated.toISOString(),
      tags: entry.tags.length > 0 ? entry.tags : undefined,
      language: entry.language || undefined,
    })),
  };
  return `${JSON.stringify(feed, null, 2)}\n`;
}
