import type { NewsItem } from '../domain/item.js';
import { InvalidFeedVariantError, variantLanguage, variantTag } from './variants.js';
import type { FeedVariant } from './variants.js';

export const DEFAULT_FEED_LIMIT = 50;

/** Only published items appear in feeds (withdrawn, draft and scheduled ones do not). */
export function isFeedItem(item: NewsItem): boolean {
  return item.status === 'published';
}

/** The instant an item is dated by in feeds: publication, else last update, else creation. */
export function feedDate(item: NewsItem): Date {
  return firstValidDate(item.publishedAt, item.updatedAt, item.createdAt) ?? new Date(0);
}

/** When the item last changed (never before its feed date). */
export function feedUpdated(item: NewsItem): Date {
  const published = feedDate(item);
  const updated = firstValidDate(item.updatedAt);
  return updated && updated > published ? updated : published;
}

export function firstValidDate(...values: (string | null | undefined)[]): Date | null {
  for (const value of values) {
    if (!value) continue;
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return null;
}

/** Published items, newest first (ties by id, so the order is stable), at most `limit`. */
export function latestFeedItems(items: readonly NewsItem[], limit = DEFAULT_FEED_LIMIT): NewsItem[] {
  return items
    .filter(isFeedItem)
    .map((item) => ({ item, time: feedDate(item).getTime() }))
    .sort((a, b) => b.time - a.time || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0))
    .slice(0, Math.max(0, limit))
    .map(({ item }) => item);
}

/** Items in `language`: "fr" matches fr, fr-BE, fr-CA; "fr-BE" matches only fr-BE (case-insensitive). */
export function itemsInLanguage<T extends { language: string }>(items: readonly T[], language: string): T[] {
  const wanted = language.toLowerCase();
  return items.filter((item) => {
    const own = item.language.toLowerCase();
    return own === wanted || own.startsWith(`${wanted}-`);
  });
}

/** Items carrying `tag` (compared lowercased and NFC-normalised, as in the feed path). */
export function itemsWithTag<T extends { tags: readonly string[] }>(items: readonly T[], tag: string): T[] {
  const wanted = tag.normalize('NFC').toLowerCase();
  return items.filter((item) => item.tags.some((t) => t.normalize('NFC').toLowerCase() === wanted));
}

export function itemsForVariant<T extends { language: string; tags: readonly string[] }>(
  items: readonly T[],
  variant: FeedVariant,
): T[] {
  switch (variant.kind) {
    case 'all':
      return [...items];
    case 'language':
      return itemsInLanguage(items, variant.language);
    case 'tag':
      return itemsWithTag(items, variant.tag);
  }
}

/**
 * The variants the published items call for: the main feed, one per primary language subtag
 * ("fr" for fr-BE) and one per tag. Names that cannot be a path are skipped.
 */
export function feedVariantsFor(items: readonly NewsItem[]): FeedVariant[] {
  const languages = new Set<string>();
  const tags = new Set<string>();
  for (const item of items.filter(isFeedItem)) {
    addIfValid(languages, () => variantLanguage(item.language.split('-')[0] ?? ''));
    for (const tag of item.tags) addIfValid(tags, () => variantTag(tag));
  }
  return [
    { kind: 'all' },
    ...[...languages].sort().map((language): FeedVariant => ({ kind: 'language', language })),
    ...[...tags].sort().map((tag): FeedVariant => ({ kind: 'tag', tag })),
  ];
}

function addIfValid(set: Set<string>, name: () => string): void {
  try {
    set.add(name());
  } catch (error) {
    if (!(error instanceof InvalidFeedVariantError)) throw error;
  }
}
