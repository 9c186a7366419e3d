import type { NewsItem } from '../domain/item.js';
import { InvalidFeedVariantError, variantLanguage, variantTag } from './variants.js';
import type { FeedVariant } from './variants.js';

export const DEFAULT_FEED_LIMIT = 50;

/** Only published items appear in feeds (withdrawn, draft and scheduled ones do not). */
export function isFeedItem(item: Pick<NewsItem, 'status'>): boolean {
  return item.status === 'published';
}

/** The instant an item is dated by in feeds: publication, else last update, else creation. */
export function feedDate(item: Pick<NewsItem, 'publishedAt' | 'updatedAt' | 'createdAt'>): Date {
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
    .map((item) => ({ item, id: item.id, time: feedDate(item).getTime() }))
    .sort(newestFirst)
    .slice(0, Math.max(0, limit))
    .map(({ item }) => item);
}

/** Feed order: newest first, ties by id. */
function newestFirst(a: { id: string; time: number }, b: { id: string; time: number }): number {
  return b.time - a.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The ids each variant shows, in feed order (as `latestFeedItems` of `itemsForVariant` would choose them):
 * one sort, then one walk that stops once every variant has `limitOf(variant)` ids.
 */
export function selectForVariants<
  T extends { id: string; time: number; language: string; tags: readonly string[] },
>(
  items: readonly T[],
  variants: readonly FeedVariant[],
  limitOf: (variant: FeedVariant) => number,
): string[][] {
  const chosen = variants.map(() => [] as string[]);
  const open = variants.map((variant, i) => ({
    i,
    limit: Math.max(0, limitOf(variant)),
    matches: variantMatcher(variant),
  }));
  let wanting = open.filter((v) => v.limit > 0);
  for (const item of [...items].sort(newestFirst)) {
    if (wanting.length === 0) break;
    let filled = false;
    for (const v of wanting) {
      if (!v.matches(item)) continue;
      filled = chosen[v.i]!.push(item.id) >= v.limit || filled;
    }
    if (filled) wanting = wanting.filter((v) => chosen[v.i]!.length < v.limit);
  }
  return chosen;
}

/** Items in `language`: "fr" matches fr, fr-BE, fr-CA; "fr-BE" matches only fr-BE (case-insensitive). */
export function itemsInLanguage<T extends { language: string }>(items: readonly T[], language: string): T[] {
  return items.filter(inLanguage(language));
}

function inLanguage(language: string): (item: { language: string }) => boolean {
  const wanted = language.toLowerCase();
  return (item) => {
    const own = item.language.toLowerCase();
    return own === wanted || own.startsWith(`${wanted}-`);
  };
}

/** Items carrying `tag` (compared lowercased and NFC-normalised, as in the feed path). */
export function itemsWithTag<T extends { tags: readonly string[] }>(items: readonly T[], tag: string): T[] {
  return items.filter(withTag(tag));
}

function withTag(tag: string): (item: { tags: readonly string[] }) => boolean {
  const wanted = tag.normalize('NFC').toLowerCase();
  return (item) => item.tags.some((t) => t.normalize('NFC').toLowerCase() === wanted);
}

/** Whether an item belongs to a variant's feed. */
function variantMatcher(
  variant: FeedVariant,
): (item: { language: string; tags: readonly string[] }) => boolean {
  switch (variant.kind) {
    case 'all':
      return () => true;
    case 'language':
      return inLanguage(variant.language);
    case 'tag':
      return withTag(variant.tag);
  }
}

/**
 * The variants the published items call for: the main feed, one per primary language subtag
 * ("fr" for fr-BE) and one per tag. Names that cannot be a path are skipped.
 */
export function feedVariantsFor(
  items: readonly Pick<NewsItem, 'status' | 'language' | 'tags'>[],
): FeedVariant[] {
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
