import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { NewsItem } from '../domain/item.js';
import { buildFeedChunks } from './build.js';
import type { FeedMeta } from './build.js';
import { absoluteHttpUrl, toFeedEntry } from './feed-entry.js';
import type { FeedEntry } from './feed-entry.js';
import { DEFAULT_FEED_LIMIT, feedVariantsFor, itemsForVariant, latestFeedItems } from './select.js';
import {
  FEED_FILE_NAMES,
  FEED_FORMATS,
  InvalidFeedVariantError,
  feedVariantDir,
  variantLanguage,
  variantTag,
} from './variants.js';
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
export interface RebuildOptions {
  /**
   * What identifies an item's feed content (e.g. id, revisions and times). When given, a variant whose
   * meta and selected items' stamps are those of its last build is not rebuilt at all: a publication
   * then costs the variants it touches, not all of them. Only for items whose content cannot change
   * without their stamp changing (items read from the store).
   */
  stamp?: (item: NewsItem) => string;
}

export async function rebuildAllFeeds(
  items: readonly NewsItem[],
  feedsDir: string,
  metaFor: (variant: FeedVariant) => FeedMeta,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const variants = mergeVariants(feedVariantsFor(items), await existingVariants(feedsDir));
  const prepared = new Map<string, FeedEntry>();
  const written: string[] = [];
  const writes = new WriteWindow(WRITES_IN_FLIGHT);
  for (const variant of variants) {
    const meta = metaFor(variant);
    const site = absoluteHttpUrl(meta.siteUrl);
    if (site === null)
      throw new Error(`feed meta siteUrl must be an absolute http(s) URL, got "${meta.siteUrl}"`);
    const selected = latestFeedItems(itemsForVariant(items, variant), meta.limit ?? DEFAULT_FEED_LIMIT);
    const dir = join(feedsDir, feedVariantDir(variant));
    const inputs = options.stamp ? variantInputs(meta, selected, options.stamp) : null;
    const state = inputs === null ? null : await variantState(dir, inputs);
    if (state === 'current') continue;
    const entries = selected.map((item) => preparedEntry(prepared, item, site));
    const chunks = buildFeedChunks(entries, meta);
    // The next variant is built while this one's files are written and synced.
    await writes.add(async () => {
      // The inputs are renamed into place after the feeds: a crash in between leaves the old
      // inputs, so the next rebuild redoes this variant.
      // Inputs that changed mean content that changed: no need to read and compare the old files.
      const trailer = inputs === null ? [] : [{ name: INPUTS_FILE, data: inputs }];
      written.push(...(await writeFeedFiles(feedsDir, variant, chunks, trailer, state !== 'changed')));
      await removeStaleTempFiles(dir);
    });
  }
  await writes.drain();
  return { variants, written: written.sort() };
}

const INPUTS_FILE = '.inputs';

function variantInputs(
  meta: FeedMeta,
  selected: readonly NewsItem[],
  stamp: (item: NewsItem) => string,
): string {
  const hash = createHash('sha256').update(JSON.stringify(meta));
  for (const item of selected) hash.update('\n').update(stamp(item));
  return hash.digest('hex');
}

/** `current`: built from these inputs, files present; `incomplete`: same inputs, a file missing; `changed`. */
async function variantState(dir: string, inputs: string): Promise<'current' | 'incomplete' | 'changed'> {
  const stored = await readFile(join(dir, INPUTS_FILE), 'utf8').catch(() => null);
  if (stored !== inputs) return 'changed';
  const present = await Promise.all(
    FEED_FORMATS.map((f) =>
      stat(join(dir, FEED_FILE_NAMES[f])).then(
        () => true,
        () => false,
      ),
    ),
  );
  return present.every(Boolean) ? 'current' : 'incomplete';
}

/** fsync waits on the disk, not the CPU: a few variants' writes overlap, and memory stays bounded. */
const WRITES_IN_FLIGHT = 4;

class WriteWindow {
  private readonly running = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(private readonly size: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    if (this.failure) throw this.failure;
    const promise: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
    if (this.running.size >= this.size) await Promise.race(this.running);
    if (this.failure) throw this.failure;
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure) throw this.failure;
  }
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
