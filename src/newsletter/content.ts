// Items as a newsletter shows them in one language: translated where a translation exists, the
// item's own language otherwise; HTML sanitised here, before it reaches a triple-brace placeholder.
import type { ItemTranslation, NewsItem } from '../domain/item.js';
import { renderMarkdown, sanitizeItemHtml } from '../domain/markdown.js';
import { languageFallbacks } from '../domain/member.js';

export type NewsletterItem = Pick<
  NewsItem,
  | 'id'
  | 'title'
  | 'summary'
  | 'bodyHtml'
  | 'url'
  | 'imageUrl'
  | 'imageAlt'
  | 'language'
  | 'translations'
  | 'publishedAt'
>;

/** What an item card sees. Every string is plain text except `bodyHtml` (sanitised). */
export interface ItemView {
  id: string;
  title: string;
  summary: string;
  bodyHtml: string;
  url: string;
  imageUrl: string | null;
  imageAlt: string;
  /** Language of the title (and of the summary and body unless these fell back). */
  language: string;
  summaryLanguage: string;
  bodyLanguage: string;
  /** Publication date in the newsletter's language, or ''. */
  date: string;
}

function findTranslation(
  item: NewsletterItem,
  language: string,
): { language: string; text: ItemTranslation } | null {
  const lower = (s: string) => s.toLowerCase();
  for (const candidate of languageFallbacks(language)) {
    if (lower(item.language) === lower(candidate)) return null;
    const key = Object.keys(item.translations).find((k) => lower(k) === lower(candidate));
    const text = key === undefined ? undefined : item.translations[key];
    if (key !== undefined && text) return { language: key, text };
  }
  return null;
}

export function itemForLanguage(
  item: NewsletterItem,
  language: string,
  dates: Intl.DateTimeFormat,
): ItemView {
  const translation = findTranslation(item, language);
  const own = item.language;
  const summary = translation?.text.summary;
  const body = translation?.text.body;
  return {
    id: item.id,
    title: translation?.text.title ?? item.title,
    summary: summary ?? item.summary,
    bodyHtml: sanitizeItemHtml(body !== undefined ? renderMarkdown(body, item.url) : item.bodyHtml, item.url),
    url: item.url,
    imageUrl: item.imageUrl,
    imageAlt: item.imageAlt ?? '',
    language: translation?.language ?? own,
    summaryLanguage: summary !== undefined ? (translation?.language ?? own) : own,
    bodyLanguage: body !== undefined ? (translation?.language ?? own) : own,
    date: item.publishedAt ? dates.format(new Date(item.publishedAt)) : '',
  };
}

export function dateFormat(language: string, timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone });
}
