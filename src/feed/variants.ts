import { isLanguageTag } from '../domain/item.js';
import { HeraldError } from '../domain/errors.js';

/**
 * Feed variants and where their files live.
 *
 * On disk, under the feeds directory (e.g. `<dataDir>/feeds/`):
 *   rss.xml, atom.xml, feed.json                    every published item
 *   lang/<language>/rss.xml, atom.xml, feed.json    items in one language ("fr" covers fr, fr-BE...)
 *   tag/<tag>/rss.xml, atom.xml, feed.json          items with one tag
 * Languages and tags are lowercased (and tags NFC-normalised) so that each variant has one path
 * whatever the case of the request, also on case-insensitive file systems.
 *
 * Public URL paths (relative to HERALD_PUBLIC_URL):
 *   /rss.xml (alias /feed.xml), /atom.xml, /feed.json
 *   /feeds/lang/<language>/rss.xml, .../atom.xml, .../feed.json
 *   /feeds/tag/<tag>/rss.xml, .../atom.xml, .../feed.json   (tag percent-encoded)
 */
export type FeedVariant =
  { kind: 'all' } | { kind: 'language'; language: string } | { kind: 'tag'; tag: string };
export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];

export const FEED_FILE_NAMES: Record<FeedFormat, string> = {
  rss: 'rss.xml',
  atom: 'atom.xml',
  json: 'feed.json',
};

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

export class InvalidFeedVariantError extends HeraldError {
  constructor(message: string) {
    super(message, { code: 'invalid_feed_variant', httpStatus: 404 });
  }
}

const TAG_RULE = /^[\p{L}\p{N}_-]{1,50}$/u;

/** A per-language variant; throws InvalidFeedVariantError unless `language` is a BCP 47 tag. */
export function languageVariant(language: string): FeedVariant {
  return { kind: 'language', language: variantLanguage(language) };
}

/** A per-tag variant; throws InvalidFeedVariantError unless `tag` follows the tag rule (so no '/', '.' or backslash). */
export function tagVariant(tag: string): FeedVariant {
  return { kind: 'tag', tag: variantTag(tag) };
}

/** The path form of a language: validated and lowercased. */
export function variantLanguage(language: string): string {
  if (!isLanguageTag(language))
    throw new InvalidFeedVariantError(`"${language}" is not a language tag such as "fr" or "fr-BE"`);
  return language.toLowerCase();
}

/** The path form of a tag: validated, NFC-normalised and lowercased. */
export function variantTag(tag: string): string {
  const normalised = tag.normalize('NFC').toLowerCase();
  if (!TAG_RULE.test(normalised)) {
    throw new InvalidFeedVariantError(
      `"${tag}" is not a tag (letters, digits, '-' and '_' only, at most 50)`,
    );
  }
  return normalised;
}

/** Directory of a variant relative to the feeds directory, '' for the main feed. Re-validates the name. */
export function feedVariantDir(variant: FeedVariant): string {
  switch (variant.kind) {
    case 'all':
      return '';
    case 'language':
      return `lang/${variantLanguage(variant.language)}`;
    case 'tag':
      return `tag/${variantTag(variant.tag)}`;
  }
}

/** File of one format of a variant, relative to the feeds directory, e.g. `lang/fr/atom.xml`. */
export function feedFilePath(variant: FeedVariant, format: FeedFormat): string {
  const dir = feedVariantDir(variant);
  return dir ? `${dir}/${FEED_FILE_NAMES[format]}` : FEED_FILE_NAMES[format];
}

/** Public URL path of one format of a variant, e.g. `/feeds/tag/caf%C3%A9/rss.xml`. */
export function feedUrlPath(variant: FeedVariant, format: FeedFormat): string {
  const file = FEED_FILE_NAMES[format];
  switch (variant.kind) {
    case 'all':
      return `/${file}`;
    case 'language':
      return `/feeds/${feedVariantDir(variant)}/${file}`;
    case 'tag':
      return `/feeds/tag/${encodeURIComponent(variantTag(variant.tag))}/${file}`;
  }
}

/** The three absolute feed URLs of a variant under the public base URL (for FeedMeta.feedUrls). */
export function feedUrls(publicUrl: string, variant: FeedVariant): Record<FeedFormat, string> {
  const base = publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`;
  const url = (format: FeedFormat) => new URL(feedUrlPath(variant, format).slice(1), base).href;
  return { rss: url('rss'), atom: url('atom'), json: url('json') };
}

/**
 * Maps a request path to the feed it names, or null (unknown path or invalid name).
 * Accepts /feed.xml as an alias of /rss.xml.
 */
export function parseFeedUrlPath(path: string): { variant: FeedVariant; format: FeedFormat } | null {
  const format = formatOfFile(path.slice(path.lastIndexOf('/') + 1));
  if (format === null) return null;
  const segments = path.split('/');
  try {
    if (segments.length === 2 && segments[0] === '') return { variant: { kind: 'all' }, format };
    if (segments.length !== 5 || segments[0] !== '' || segments[1] !== 'feeds') return null;
    const name = decodeURIComponent(segments[3] ?? '');
    if (segments[2] === 'lang') return { variant: languageVariant(name), format };
    if (segments[2] === 'tag') return { variant: tagVariant(name), format };
    return null;
  } catch {
    return null; // malformed percent-encoding or invalid name
  }
}

function formatOfFile(file: string): FeedFormat | null {
  if (file === 'rss.xml' || file === 'feed.xml') return 'rss';
  if (file === 'atom.xml') return 'atom';
  if (file === 'feed.json') return 'json';
  return null;
}
