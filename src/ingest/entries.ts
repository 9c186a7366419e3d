import type Parser from 'rss-parser';
import { HeraldError, ValidationError } from '../domain/errors.js';
import { LIMITS, isLanguageTag, validateItemFields } from '../domain/item.js';
import type { ItemFields, ItemRules } from '../domain/item.js';
import { sanitizeItemHtml } from '../domain/markdown.js';
import { absoluteHttpUrl } from '../feed/feed-entry.js';
import { htmlAsMarkdown } from './body.js';
import { categoriesToTags, htmlToLine, truncate } from './text.js';
import { removeXmlIllegalChars } from '../feed/xml-text.js';
import { lazy, lazyRequire } from '../lazy-module.js';

/** One entry as rss-parser returns it (loosely typed: values may be strings or xml2js objects). */
export type SourceEntry = Record<string, unknown>;

export interface ParsedSourceFeed {
  format: 'rss' | 'atom' | 'rdf';
  title: string | null;
  /** The website, as the feed gives it (may be relative). */
  link: string | null;
  language: string | null;
  entries: SourceEntry[];
}

export class MalformedFeedError extends HeraldError {
  constructor(readonly reason: string) {
    super(`malformed feed: ${reason}`, { code: 'malformed_feed', httpStatus: 502, errorClass: 'permanent' });
  }
}

const rssParser = lazyRequire<typeof Parser>('rss-parser');

/** rss-parser (with xml2js) when a source is first read, not at start. */
const parser = lazy(
  () =>
    new (rssParser())<Record<string, unknown>, SourceEntry>({
      customFields: {
        item: [
          ['category', 'categoryElements', { keepArray: true }],
          ['guid', 'guidElements', { keepArray: true }], // keeps isPermaLink, which rss-parser drops
          ['enclosure', 'enclosureElements', { keepArray: true }], // rss-parser keeps only the first enclosure
          ['link', 'linkElements', { keepArray: true }],
          ['media:content', 'mediaContent', { keepArray: true }],
          ['media:thumbnail', 'mediaThumbnail', { keepArray: true }],
          ['media:group', 'mediaGroup', { keepArray: true }],
          'published',
          'updated',
        ],
      },
    }),
);

/** Parses an RSS (0.9x, 1.0, 2.0) or Atom document; throws MalformedFeedError with a readable reason. */
export async function parseSourceFeed(xml: string): Promise<ParsedSourceFeed> {
  const text = xml.replace(/^\uFEFF/, ''); // tolerate a byte-order mark (xml2js strips one too)
  const format = rootFormat(text);
  if (format === null)
    throw new MalformedFeedError(text.trim() === '' ? 'the document is empty' : 'not an RSS or Atom feed');
  let output: Awaited<ReturnType<Parser<Record<string, unknown>, SourceEntry>['parseString']>>;
  try {
    output = await parser().parseString(text);
  } catch (error) {
    throw new MalformedFeedError(parserErrorReason(error));
  }
  const language = textOf(output.language) ?? (format === 'atom' ? atomLanguage(text) : null);
  return {
    format,
    title: textOf(output.title),
    link: textOf(output.link),
    language,
    entries: output.items as SourceEntry[],
  };
}

function rootFormat(xml: string): ParsedSourceFeed['format'] | null {
  const root = /^\s*(?:(?:<\?[^]*?\?>|<!--[^]*?-->|<!DOCTYPE[^>]*>)\s*)*<([A-Za-z_][\w:.-]*)/.exec(xml)?.[1];
  if (root === 'rss') return 'rss';
  if (root === 'feed') return 'atom';
  if (root === 'rdf:RDF') return 'rdf';
  return null;
}

function atomLanguage(xml: string): string | null {
  return /<feed\b[^>]*\bxml:lang\s*=\s*["']([^"']+)["']/.exec(xml)?.[1] ?? null;
}

function parserErrorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError && /time value/i.test(message)) return 'an entry has an invalid date';
  if (/Unable to parse XML/i.test(message)) return 'the document is empty';
  if (/not recognized as RSS/i.test(message)) return 'not an RSS or Atom feed';
  // sax messages look like "Unexpected close tag\nLine: 3\nColumn: 10\nChar: >"
  const [first, ...details] = message.split('\n');
  const where = details
    .filter((line) => /^(Line|Column):/.test(line))
    .map((line) => {
      const [name = '', value = ''] = line.split(':').map((part) => part.trim());
      return `${name.toLowerCase()} ${name === 'Line' ? Number(value) + 1 : value}`; // sax counts lines from 0
    })
    .join(', ');
  return where ? `${first} (${where})` : (first ?? message);
}

/** The string inside an xml2js value: a string, `{_: string}`, or the first of an array. */
function textOf(value: unknown): string | null {
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (value && typeof value === 'object' && '_' in value) return textOf((value as { _: unknown })._);
  return null;
}

function attributesOf(value: unknown): Record<string, string> {
  if (value && typeof value === 'object' && '$' in value) {
    const attributes = (value as { $: unknown }).$;
    if (attributes && typeof attributes === 'object') return attributes as Record<string, string>;
  }
  return {};
}

/** The dedupe key of an entry: its guid (RSS) or id (Atom), else its link; null when it has neither. */
export function entryKey(entry: SourceEntry): string | null {
  return (textOf(entry.guid) ?? textOf(entry.id) ?? textOf(entry.link))?.trim() ?? null;
}

/** The entry's publication date (else its update date), or null when absent or unreadable. */
export function entryDate(entry: SourceEntry): Date | null {
  const iso = textOf(entry.isoDate);
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export interface EntryContext {
  /** The source's configured language; wins over the entry's and the feed's. */
  language?: string | null | undefined;
  /** The feed's own language and link, from parseSourceFeed. */
  feedLanguage?: string | null | undefined;
  feedLink?: string | null | undefined;
  /** Where the feed was fetched from: the base for relative links. */
  feedUrl?: string | null | undefined;
  /** The installation's item rules (allowPrivateUrls). */
  rules?: ItemRules | undefined;
}

export type EntryMapping =
  | { ok: true; key: string; date: Date | null; fields: ItemFields & { slug: string } }
  | { ok: false; key: string | null; reason: string };

const SUMMARY_FROM_BODY_MAX = 500;

/**
 * Maps one source entry to Herald item fields, validated as a whole: either every field is
 * valid or the entry is reported with the reason (never half an item).
 * The body is the entry's HTML sanitised with Herald's rules (links made absolute), stored as the
 * item's Markdown body in a form that renders back to exactly that HTML (see ingest-body.ts).
 */
export function entryToItemFields(entry: SourceEntry, context: EntryContext = {}): EntryMapping {
  const key = entryKey(entry);
  if (key === null) return { ok: false, key, reason: 'the entry has neither a guid/id nor a link' };
  const base =
    absoluteHttpUrl(context.feedLink, context.feedUrl ?? undefined) ?? context.feedUrl ?? undefined;
  const url = entryUrl(entry, base);
  if (url === null) return { ok: false, key, reason: 'the entry has no absolute http(s) link' };
  const title = truncate(htmlToLine(textOf(entry.title) ?? ''), LIMITS.title);
  const image = entryImage(entry, url);
  try {
    const fields = validateItemFields(
      {
        title,
        summary: entrySummary(entry),
        body: htmlAsMarkdown(
          removeXmlIllegalChars(sanitizeItemHtml(removeXmlIllegalChars(entryBodyHtml(entry)), url)),
        ),
        url,
        imageUrl: image,
        imageAlt: image ? title || null : null,
        tags: categoriesToTags(entryCategories(entry)),
        language: entryLanguage(entry, context),
      },
      context.rules,
    );
    return { ok: true, key, date: entryDate(entry), fields };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const reason = Object.entries(error.fields)
      .map(([field, problem]) => `${field} ${problem}`)
      .join('; ');
    return { ok: false, key, reason };
  }
}

function entryUrl(entry: SourceEntry, base: string | undefined): string | null {
  const link = absoluteHttpUrl(textOf(entry.link), base);
  if (link) return link;
  // An RSS guid is a permalink unless isPermaLink="false"; only an absolute one can serve as the link.
  if (attributesOf(arrayOf(entry.guidElements)[0]).isPermaLink === 'false') return null;
  return absoluteHttpUrl(textOf(entry.guid));
}

/** Full content first: RSS content:encoded, Atom content (rss-parser calls an RSS description `content` too), then the summary. */
function entryBodyHtml(entry: SourceEntry): string {
  return textOf(entry['content:encoded']) ?? textOf(entry.content) ?? textOf(entry.summary) ?? '';
}

function entrySummary(entry: SourceEntry): string {
  const explicit = textOf(entry.summary) ?? (textOf(entry['content:encoded']) ? textOf(entry.content) : null);
  if (explicit) return truncate(htmlToLine(explicit), LIMITS.summary);
  return truncate(htmlToLine(entryBodyHtml(entry)), SUMMARY_FROM_BODY_MAX);
}

function entryCategories(entry: SourceEntry): string[] {
  const elements = Array.isArray(entry.categoryElements) ? entry.categoryElements : [];
  return elements
    .map((element) => {
      const attributes = attributesOf(element);
      return textOf(element) ?? attributes.label ?? attributes.term ?? null; // RSS text, Atom label/term
    })
    .filter((name): name is string => name !== null);
}

/** First image among: RSS enclosures, Atom enclosure links, media:content, media:thumbnail. */
function entryImage(entry: SourceEntry, base: string): string | null {
  const candidates: { url?: string | undefined; type?: string | undefined; medium?: string | undefined }[] =
    [];
  for (const enclosure of arrayOf(entry.enclosureElements)) candidates.push(attributesOf(enclosure));
  for (const link of arrayOf(entry.linkElements)) {
    const { rel, href, type } = attributesOf(link);
    if (rel === 'enclosure') candidates.push({ url: href, type });
  }
  const groups = arrayOf(entry.mediaGroup).map((group) => group as Record<string, unknown>);
  for (const media of [entry.mediaContent, ...groups.map((g) => g['media:content'])].flatMap(arrayOf)) {
    candidates.push(attributesOf(media));
  }
  for (const thumbnail of [entry.mediaThumbnail, ...groups.map((g) => g['media:thumbnail'])].flatMap(
    arrayOf,
  )) {
    candidates.push({ ...attributesOf(thumbnail), medium: 'image' });
  }
  for (const candidate of candidates) {
    if (!candidate.url || !looksLikeImage(candidate)) continue;
    const url = absoluteHttpUrl(candidate.url, base);
    if (url) return url;
  }
  return null;
}

function looksLikeImage({
  url = '',
  type,
  medium,
}: {
  url?: string | undefined;
  type?: string | undefined;
  medium?: string | undefined;
}): boolean {
  if (type) return type.toLowerCase().startsWith('image/');
  if (medium) return medium === 'image';
  return /\.(jpe?g|png|gif|webp|avif|svg)(\?|#|$)/i.test(url);
}

function arrayOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function entryLanguage(entry: SourceEntry, context: EntryContext): string {
  if (context.language) return context.language; // a configuration error shows up in validation
  for (const candidate of [textOf(entry.language), context.feedLanguage]) {
    const language = candidate?.trim();
    if (language && isLanguageTag(language)) return Intl.getCanonicalLocales(language)[0] ?? language;
  }
  return 'en';
}
