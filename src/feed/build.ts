import type { NewsItem } from '../domain/item.js';
import { absoluteHttpUrl, toFeedEntry } from './feed-entry.js';
import type { FeedEntry } from './feed-entry.js';
import { DEFAULT_FEED_LIMIT, latestFeedItems } from './select.js';
import { atomDocument, rssDocument, type FeedDocument, type XmlFeedMeta } from './feed-xml.js';
import type { FeedFormat } from './variants.js';
import { removeXmlIllegalChars } from './xml-text.js';

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
  const chunks = buildFeedChunks(entries, meta);
  return { rss: chunks.rss.join(''), atom: chunks.atom.join(''), json: chunks.json.join('') };
}

/** Each document as consecutive pieces: a rebuild writes and hashes them without joining megabytes. */
export interface FeedChunks {
  rss: string[];
  atom: string[];
  json: string[];
}

export function buildFeedChunks(entries: readonly FeedEntry[], meta: FeedMeta): FeedChunks {
  const documents = feedDocuments(meta, newestUpdate(entries));
  const chunks = (document: FeedDocument) => [
    document.head,
    ...entries.map((entry, i) => document.entry(entry, i === 0)),
    document.tail,
  ];
  return { rss: chunks(documents.rss), atom: chunks(documents.atom), json: chunks(documents.json) };
}

/**
 * The three documents of a feed, in pieces (see FeedDocument). `newest` is the latest `updated` among the
 * entries that will be written: the feed's own updated time unless the meta gives one.
 */
export function feedDocuments(meta: FeedMeta, newest: Date): Record<FeedFormat, FeedDocument> {
  const resolved = resolveMeta(meta, newest);
  return {
    rss: rssDocument(xmlMeta(resolved, resolved.feedUrls.rss)),
    atom: atomDocument(xmlMeta(resolved, resolved.feedUrls.atom)),
    json: jsonFeedDocument(resolved),
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

function resolveMeta(meta: FeedMeta, newest: Date): ResolvedMeta {
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
    updated: meta.updated ?? newest,
  };
}

function newestUpdate(entries: readonly FeedEntry[]): Date {
  let newest = 0;
  for (const entry of entries) newest = Math.max(newest, entry.updated.getTime());
  return new Date(newest);
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

function xmlMeta(meta: ResolvedMeta, selfUrl: string): XmlFeedMeta {
  return { ...meta, selfUrl };
}

/** JSON Feed 1.1. Items are serialised once per entry and reused by every variant they appear in. */
function jsonFeedDocument(meta: ResolvedMeta): FeedDocument {
  const authorUrl = meta.author.url ?? (meta.author.email ? `mailto:${meta.author.email}` : undefined);
  const head = JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: meta.siteUrl,
    feed_url: meta.feedUrls.json,
    description: meta.description,
    language: meta.language || undefined,
    authors: [{ name: meta.author.name, url: authorUrl }],
    hubs: meta.hubUrl ? [{ type: 'WebSub', url: meta.hubUrl }] : undefined,
  });
  return {
    head: `${head.slice(0, -1)},"items":[`,
    entry: (entry, first) => (first ? jsonItem(entry) : `,${jsonItem(entry)}`),
    tail: ']}\n',
  };
}

const jsonItems = new WeakMap<FeedEntry, string>();

function jsonItem(entry: FeedEntry): string {
  let json = jsonItems.get(entry);
  if (json === undefined) {
    json = JSON.stringify({
      id: entry.guid,
      url: entry.url,
      title: entry.title,
      summary: entry.summary || undefined,
      // JSON Feed needs content_html or content_text.
      ...(entry.contentHtml
        ? { content_html: entry.contentHtml }
        : { content_text: entry.summary || entry.title }),
      image: entry.image?.url,
      // The same file as an attachment: JSON Feed's `image` has no type or size.
      attachments: entry.image
        ? [
            {
              url: entry.image.url,
              mime_type: entry.image.type,
              size_in_bytes: entry.image.bytes ?? undefined,
            },
          ]
        : undefined,
      date_published: entry.published.toISOString(),
      date_modified: entry.updated.toISOString(),
      tags: entry.tags.length > 0 ? entry.tags : undefined,
      language: entry.language || undefined,
    });
    jsonItems.set(entry, json);
  }
  return json;
}
