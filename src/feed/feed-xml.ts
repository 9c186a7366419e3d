import type { FeedEntry } from './feed-entry.js';
import { escapeHtml, escapeXmlAttr, escapeXmlText, xmlCdata } from './xml-text.js';

/**
 * RSS 2.0 and Atom 1.0 written directly as strings: every text and attribute value goes through
 * escapeXmlText / escapeXmlAttr, HTML bodies into split-safe CDATA (xmlCdata), and the values were already cleaned
 * of characters XML cannot carry (feed-entry.ts). An order of magnitude faster than building an
 * object tree for an XML library, which dominated rebuilds of large feeds.
 */
export interface XmlFeedMeta {
  title: string;
  description: string;
  siteUrl: string;
  selfUrl: string;
  language: string;
  author: { name: string; email?: string | undefined; url?: string | undefined };
  hubUrl: string | null;
  updated: Date;
}

const t = escapeXmlText;
const a = escapeXmlAttr;
const I2 = '\n        ';
const I3 = '\n            ';

/**
 * A feed document in pieces: its head, one piece per entry (`first` for the first entry), its tail. Joined
 * in that order they are the document, so a rebuild writes it entry by entry without holding it whole.
 */
export interface FeedDocument {
  head: string;
  entry(entry: FeedEntry, first: boolean): string;
  tail: string;
}

export function rssDocument(meta: XmlFeedMeta): FeedDocument {
  const head: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">\n',
    '    <channel>',
    `${I2}<title>${t(meta.title)}</title>`,
    `${I2}<link>${t(meta.siteUrl)}</link>`,
    `${I2}<description>${t(meta.description)}</description>`,
    `${I2}<lastBuildDate>${meta.updated.toUTCString()}</lastBuildDate>`,
    `${I2}<docs>https://validator.w3.org/feed/docs/rss2.html</docs>`,
    `${I2}<generator>Herald</generator>`,
    meta.language ? `${I2}<language>${t(meta.language)}</language>` : '',
    `${I2}<atom:link href="${a(meta.selfUrl)}" rel="self" type="application/rss+xml"/>`,
    meta.hubUrl ? `${I2}<atom:link href="${a(meta.hubUrl)}" rel="hub"/>` : '',
  ];
  // RSS <author> must be an e-mail address; a name alone is in Atom and JSON Feed only.
  const author = meta.author.email
    ? `${I3}<author>${t(`${meta.author.email} (${meta.author.name})`)}</author>`
    : '';
  return { head: head.join(''), entry: (entry) => rssItem(entry, author), tail: '\n    </channel>\n</rss>' };
}

// An entry appears in several variants of one rebuild (main, its language, its tags): its XML is
// written once. Keyed by the entry object, which a rebuild shares between variants.
const rssItems = new WeakMap<FeedEntry, { author: string; xml: string }>();
const atomEntries = new WeakMap<FeedEntry, string>();

function rssItem(entry: FeedEntry, author: string): string {
  const cached = rssItems.get(entry);
  if (cached?.author === author) return cached.xml;
  const xml = rssItemXml(entry, author);
  rssItems.set(entry, { author, xml });
  return xml;
}

const fileSize = (bytes: number | null) => (bytes === null ? '' : ` fileSize="${bytes}"`);

function rssItemXml(entry: FeedEntry, author: string): string {
  let item = `${I2}<item>${I3}<title>${t(entry.title)}</title>${I3}<link>${t(entry.url)}</link>`;
  item += `${I3}<guid isPermaLink="false">${t(entry.guid)}</guid>${I3}<pubDate>${entry.published.toUTCString()}</pubDate>`;
  if (entry.summary) item += `${I3}<description>${t(escapeHtml(entry.summary))}</description>`;
  if (entry.contentHtml) item += `${I3}<content:encoded>${xmlCdata(entry.contentHtml)}</content:encoded>`;
  item += author;
  for (const tag of entry.tags) item += `${I3}<category>${t(tag)}</category>`;
  if (entry.image)
    item +=
      // RSS requires length; 0 is the RSS Best Practices Profile's value for a length not known.
      `${I3}<enclosure length="${entry.image.bytes ?? 0}" type="${a(entry.image.type)}" url="${a(entry.image.url)}"/>` +
      // Media RSS: readers that show pictures (and their alt text) read this rather than the enclosure.
      `${I3}<media:content url="${a(entry.image.url)}"${fileSize(entry.image.bytes)} type="${a(entry.image.type)}" medium="image">` +
      `<media:description type="plain">${t(entry.image.alt)}</media:description></media:content>`;
  return `${item}${I2}</item>`;
}

export function atomDocument(meta: XmlFeedMeta): FeedDocument {
  const I = '\n    ';
  const head: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    `<feed xmlns="http://www.w3.org/2005/Atom"${meta.language ? ` xml:lang="${a(meta.language)}"` : ''}>`,
    `${I}<id>${t(meta.selfUrl)}</id>`,
    `${I}<title>${t(meta.title)}</title>`,
    `${I}<updated>${meta.updated.toISOString()}</updated>`,
    `${I}<generator>Herald</generator>`,
    `${I}<author>${I2}<name>${t(meta.author.name)}</name>`,
    meta.author.email ? `${I2}<email>${t(meta.author.email)}</email>` : '',
    meta.author.url ? `${I2}<uri>${t(meta.author.url)}</uri>` : '',
    `${I}</author>`,
    `${I}<link rel="alternate" href="${a(meta.siteUrl)}"/>`,
    `${I}<link rel="self" href="${a(meta.selfUrl)}"/>`,
    meta.hubUrl ? `${I}<link rel="hub" href="${a(meta.hubUrl)}"/>` : '',
    meta.description ? `${I}<subtitle>${t(meta.description)}</subtitle>` : '',
  ];
  return { head: head.join(''), entry: atomEntry, tail: '\n</feed>' };
}

/** Title and summary are `type="html"`, so they carry HTML-escaped text (then XML-escaped). */
function atomEntry(entry: FeedEntry): string {
  let xml = atomEntries.get(entry);
  if (xml === undefined) {
    xml = atomEntryXml(entry);
    atomEntries.set(entry, xml);
  }
  return xml;
}

function atomEntryXml(entry: FeedEntry): string {
  let xml = `\n    <entry>${I2}<title type="html">${t(escapeHtml(entry.title))}</title>${I2}<id>${t(entry.guid)}</id>`;
  xml += `${I2}<link href="${a(entry.url)}"/>${I2}<updated>${entry.updated.toISOString()}</updated>`;
  if (entry.summary) xml += `${I2}<summary type="html">${t(escapeHtml(entry.summary))}</summary>`;
  if (entry.contentHtml) xml += `${I2}<content type="html">${xmlCdata(entry.contentHtml)}</content>`;
  for (const tag of entry.tags) xml += `${I2}<category term="${a(tag)}"/>`;
  if (entry.image)
    // Atom's length is optional: left out when not known rather than a false 0.
    xml += `${I2}<link rel="enclosure" type="${a(entry.image.type)}" href="${a(entry.image.url)}"${entry.image.bytes === null ? '' : ` length="${entry.image.bytes}"`}/>`;
  xml += `${I2}<published>${entry.published.toISOString()}</published>`;
  return `${xml}\n    </entry>`;
}
