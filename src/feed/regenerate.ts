import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { NewsItem } from '../domain/item.js';
import { buildFeedsFromEntries } from './build.js';
import type { FeedMeta } from './build.js';
import { absoluteHttpUrl, toFeedEntry } from './feed-entry.js';
import type { FeedEntry } from './feed-entry.js';
import { DEFAULT_FEED_LIMIT, feedVariantsFor, itemsForVariant, latestFeedItems } from './select.js';
import { InvalidFeedVariantError, feedVariantDir, variantLanguage, variantTag } from './variants.js';
import type { FeedVariant } from './variants.js';
import { removeStaleTempFiles, writeFeedFiles } from './write-atomic.js';

export interface RebuildResult {
  variants: FeedVariant[];
  /** Files that changed, relative to the feeds directory. */
  written: string[];
}

/**
 * Rebuilds every feed variant from the current items and writes the files under `feedsDir`.
 * Variants whose directory exists but that no published item calls for any more (the last item
 * with a tag was withdrawn) are rewritten empty, so they never keep serving withdrawn items.
 * Each item is sanitised once, however many variants it appears in.
 */
export async function rebuildAllFeeds(
  items: readonly NewsItem[],
  feedsDir: string,
  metaFor: (variant: FeedVariant) => FeedMeta,
): Promise<RebuildResult> {
  const variants = mergeVariants(feedVariantsFor(items), await existingVariants(feedsDir));
  const prepared = new Map<string, FeedEntry>();
  const written: string[] = [];
  for (const variant of variants) {
    const meta = metaFor(variant);
    const site = absoluteHttpUrl(meta.siteUrl);
    if (site === null)
      throw new Error(`feed meta siteUrl must be an absolute http(s) URL, got "${meta.siteUrl}"`);
    const selected = latestFeedItems(itemsForVariant(items, variant), meta.limit ?? DEFAULT_FEED_LIMIT);
    const entries = selected.map((item) => preparedEntry(prepared, item, site));
    written.push(...(await writeFeedFiles(feedsDir, variant, buildFeedsFromEntries(entries, meta))));
    await removeStaleTempFiles(join(feedsDir, feedVariantDir(variant)));
  }
  return { variants, written };
}

function preparedEntry(cache: Map<string, FeedEntry>, item: NewsItem, site: string): FeedEntry {
  const key = `${item.id}\u0000${site}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = toFeedEntry(item, site);
    cache.set(key, entry);
  }
  return entry;
}

/** Language and tag variants that have a directory under `feedsDir`. */
export async function existingVariants(feedsDir: string): Promise<FeedVariant[]> {
  const languages = await variantNamesIn(join(feedsDir, 'lang'), variantLanguage);
  const tags = await variantNamesIn(join(feedsDir, 'tag'), variantTag);
  return [
    ...languages.map((language): FeedVariant => ({ kind: 'language', language })),
    ...tags.map((tag): FeedVariant => ({ kind: 'tag', tag })),
  ];
}

async function variantNamesIn(dir: string, normalise: (name: string) => string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    try {
      const name = normalise(entry.name);
      if (name === entry.name) names.push(name);
    } catch (error) {
      if (!(error instanceof InvalidFeedVariantError)) throw error;
    }
  }
  return names;
}

function mergeVariants(wanted: FeedVariant[], existing: FeedVariant[]): FeedVariant[] {
  const byDir = new Map<string, FeedVariant>();
  for (const variant of [...wanted, ...existing]) byDir.set(feedVariantDir(variant), variant);
  return [...byDir.values()];
}
