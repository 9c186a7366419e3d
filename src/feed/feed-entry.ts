import type { NewsItem } from '../domain/item.js';
import { sanitizeItemHtml } from '../domain/markdown.js';
import { StringMemo } from './memo-cache.js';
import { feedDate, feedUpdated } from './select.js';
import { removeXmlIllegalChars } from './xml-text.js';

/** One item as every feed format shows it: text cleaned for XML, HTML sanitised, URLs absolute. */
export interface FeedEntry {
  guid: string;
  title: string;
  url: string;
  summary: string;
  contentHtml: string;
  tags: string[];
  language: string;
  /** `bytes`: the file's length, null when not known (see withImageSizes). */
  image: { url: string; alt: string; type: string; bytes: number | null } | null;
  published: Date;
  updated: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The permanent id of an item in every feed (RSS guid isPermaLink="false", Atom id, JSON Feed id).
 * Derived from item.id only, so editing the title, slug or URL never changes it (readers would
 * show the item again). A UUID id gives `urn:uuid:<id>`; any other id a tag URI (RFC 4151).
 */
export function itemGuid(item: Pick<NewsItem, 'id'>): string {
  if (UUID.test(item.id)) return `urn:uuid:${item.id.toLowerCase()}`;
  return `tag:herald.invalid,2026:item/${encodeURIComponent(item.id)}`;
}

/** `value` as an absolute http(s) URL in normalised form (ASCII, `<`/`"`/controls percent-encoded), or null. */
export function absoluteHttpUrl(value: string | null | undefined, base?: string): string | null {
  if (!value) return null;
  try {
    const url = new URL(value.trim(), base);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}

/** Builds the entry; `fallbackUrl` (the website) is the link when the item's URL is unusable. */
export function toFeedEntry(item: NewsItem, fallbackUrl: string): FeedEntry {
  const url = absoluteHttpUrl(item.url) ?? fallbackUrl;
  const title = clean(item.title).trim();
  const imageUrl = absoluteHttpUrl(item.imageUrl);
  return {
    guid: itemGuid(item),
    title,
    url,
    summary: clean(item.summary).trim(),
    contentHtml: feedContentHtml(item.bodyHtml, url),
    tags: item.tags.map((tag) => clean(tag).trim()).filter((tag) => tag.length > 0),
    language: clean(item.language),
    image: imageUrl
      ? {
          url: imageUrl,
          alt: clean(item.imageAlt ?? '').trim() || title,
          type: item.imageSize?.type ?? imageMimeType(imageUrl),
          bytes: item.imageSize?.bytes ?? null,
        }
      : null,
    published: feedDate(item),
    updated: feedUpdated(item),
  };
}

// Sanitising is most of the cost of a rebuild, and its result depends only on (HTML, base URL).
const contentMemo = new StringMemo(32 * 1024 * 1024);

/**
 * The item's HTML sanitised again (stored HTML may predate today's rules) with links made absolute
 * against the item URL. Numeric references such as &#1; decode to characters XML cannot carry,
 * hence the clean after sanitising too.
 */
export function feedContentHtml(bodyHtml: string, itemUrl: string): string {
  // Keyed by the HTML alone (no concatenated copy of it per lookup); the value starts with the base
  // URL it was made for, so a body seen under another URL is recomputed.
  const prefix = `${itemUrl}\u0000`;
  const cached = contentMemo.get(
    bodyHtml,
    () => prefix + clean(sanitizeItemHtml(clean(bodyHtml), itemUrl)).trim(),
  );
  if (cached.startsWith(prefix)) return cached.slice(prefix.length);
  const fresh = clean(sanitizeItemHtml(clean(bodyHtml), itemUrl)).trim();
  contentMemo.set(bodyHtml, prefix + fresh);
  return fresh;
}

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
};

/** MIME type from the file extension; image/jpeg when unknown (readers only need an image/* type to show it). */
export function imageMimeType(url: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase() ?? '';
  return IMAGE_TYPES[extension] ?? 'image/jpeg';
}

function clean(text: string): string {
  return removeXmlIllegalChars(text);
}
