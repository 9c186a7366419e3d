import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { NewsItem } from '../domain/item.js';
import { feedDocuments } from './build.js';
import type { FeedMeta } from './build.js';
import { absoluteHttpUrl, toFeedEntry } from './feed-entry.js';
import type { FeedEntry } from './feed-entry.js';
import type { FeedDocument } from './feed-xml.js';
import type { FeedOutline } from './feed-items.js';
import {
  DEFAULT_FEED_LIMIT,
  feedDate,
  feedUpdated,
  feedVariantsFor,
  isFeedItem,
  selectForVariants,
} from './select.js';
import {
  FEED_FILE_NAMES,
  FEED_FORMATS,
  InvalidFeedVariantError,
  feedFilePath,
  feedVariantDir,
  variantLanguage,
  variantTag,
} from './variants.js';
import type { FeedFormat, FeedVariant } from './variants.js';
import {
  StreamedFile,
  removeStaleTempFiles,
  syncDirectory,
  writeFilesAtomicIfChanged,
} from './write-atomic.js';

export interface RebuildResult {
  variants: FeedVariant[];
  /** Files that changed, relative to the feeds directory. */
  written: string[];
}

/**
 * The published items a rebuild reads: light stand-ins of all of them (dates, language and tags as
 * published) choose each variant's items, and only those are read in full, a page at a time.
 */
export interface FeedItemSource {
  outlines: readonly FeedOutline[];
  /** The full items with these ids, in this order; an id no longer published is left out. */
  load(ids: readonly string[]): Promise<NewsItem[]>;
}

/** Items already in memory as a source (tests, benchmarks). */
function inMemorySource(items: readonly NewsItem[]): FeedItemSource {
  const byId = new Map(items.map((item) => [item.id, item]));
  return {
    outlines: items.filter(isFeedItem).map((item) => ({
      id: item.id,
      status: item.status,
      language: item.language,
      tags: item.tags,
      time: feedDate(item).getTime(),
    })),
    load: async (ids) => ids.flatMap((id) => byId.get(id) ?? []),
  };
}

export interface RebuildOptions {
  /**
   * What identifies an item's feed content (e.g. id, revisions and times). When given, a variant whose
   * meta and selected items' stamps are those of its last build is not rebuilt at all: a publication
   * then costs the variants it touches, not all of them. Only for items whose content cannot change
   * without their stamp changing (items read from the store).
   */
  stamp?: (item: NewsItem) => string;
}

/** Items read and written at a time: memory stays flat whatever the feeds' length. */
const PAGE_SIZE = 200;

/**
 * Rebuilds every feed variant from the published items and writes the files under `feedsDir`.
 * Variants whose directory exists but that no published item calls for any more (the last item
 * with a tag was withdrawn) are rewritten empty, so they never keep serving withdrawn items.
 * Each document is streamed into its temp file a page of items at a time, so a rebuild holds a
 * page, not the feeds (bytes as buildFeeds would give them).
 */
export async function rebuildAllFeeds(
  items: FeedItemSource | readonly NewsItem[],
  feedsDir: string,
  metaFor: (variant: FeedVariant) => FeedMeta,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const source = 'load' in items ? items : inMemorySource(items);
  const variants = mergeVariants(feedVariantsFor(source.outlines), await existingVariants(feedsDir));
  const metas = variants.map((variant) => metaFor(variant));
  const selections = selectForVariants(
    source.outlines,
    variants,
    (variant) => metas[variants.indexOf(variant)]!.limit ?? DEFAULT_FEED_LIMIT,
  );
  const facts = new Map<string, ItemFacts>();
  const written: string[] = [];
  for (const [v, variant] of variants.entries()) {
    const meta = metas[v]!;
    const site = absoluteHttpUrl(meta.siteUrl);
    if (site === null)
      throw new Error(`feed meta siteUrl must be an absolute http(s) URL, got "${meta.siteUrl}"`);
    const selected = selections[v]!;
    await learnFacts(source, selected, facts, options.stamp);
    const ids = selected.filter((id) => facts.has(id));
    const dir = join(feedsDir, feedVariantDir(variant));
    const inputs = options.stamp ? variantInputs(meta, ids, facts) : null;
    const state = inputs === null ? null : await variantState(dir, inputs);
    if (state === 'current') continue;
    const newest = new Date(ids.reduce((max, id) => Math.max(max, facts.get(id)!.updated), 0));
    const entries = entryPages(source, ids, site);
    // The inputs are renamed into place after the feeds: a crash in between leaves the old
    // inputs, so the next rebuild redoes this variant.
    // Inputs that changed mean content that changed: no need to read and compare the old files.
    const trailer = inputs === null ? [] : [{ name: INPUTS_FILE, data: inputs }];
    const documents = feedDocuments(meta, newest);
    written.push(
      ...(await streamFeedFiles(feedsDir, variant, documents, entries, trailer, state !== 'changed')),
    );
    await removeStaleTempFiles(dir);
  }
  return { variants, written: written.sort() };
}

/** What a rebuild keeps of each item it reads: its stamp (when stamping) and feed update time. */
interface ItemFacts {
  stamp: string;
  updated: number;
}

/** Reads the items of `ids` not seen yet, a page at a time, and keeps their facts only. */
async function learnFacts(
  source: FeedItemSource,
  ids: readonly string[],
  facts: Map<string, ItemFacts>,
  stamp: ((item: NewsItem) => string) | undefined,
): Promise<void> {
  const unseen = ids.filter((id) => !facts.has(id));
  for (let i = 0; i < unseen.length; i += PAGE_SIZE) {
    for (const item of await source.load(unseen.slice(i, i + PAGE_SIZE)))
      facts.set(item.id, { stamp: stamp ? stamp(item) : '', updated: feedUpdated(item).getTime() });
  }
}

async function* entryPages(source: FeedItemSource, ids: readonly string[], site: string) {
  for (let i = 0; i < ids.length; i += PAGE_SIZE)
    yield (await source.load(ids.slice(i, i + PAGE_SIZE))).map((item) => toFeedEntry(item, site));
}

/**
 * Streams the three documents of a variant into temp files, then replaces the files whose bytes changed
 * (each atomically), then the trailer (small files, e.g. what they were built from), with one directory
 * fsync. Returns the feed files written, relative to `feedsDir`.
 */
async function streamFeedFiles(
  feedsDir: string,
  variant: FeedVariant,
  documents: Record<FeedFormat, FeedDocument>,
  pages: AsyncIterable<FeedEntry[]>,
  trailer: readonly { name: string; data: string }[],
  compare: boolean,
): Promise<string[]> {
  const dir = join(feedsDir, feedVariantDir(variant));
  await mkdir(dir, { recursive: true });
  const files: StreamedFile[] = [];
  try {
    for (const format of FEED_FORMATS)
      files.push(await StreamedFile.create(join(dir, FEED_FILE_NAMES[format])));
    const writers = FEED_FORMATS.map((format, i) => ({ document: documents[format], file: files[i]! }));
    for (const { document, file } of writers) await file.write(document.head);
    let first = true;
    for await (const entries of pages) {
      for (const entry of entries) {
        for (const { document, file } of writers) await file.write(document.entry(entry, first));
        first = false;
      }
    }
    for (const { document, file } of writers) await file.write(document.tail);
  } catch (error) {
    await Promise.all(files.map((file) => file.discard()));
    throw error;
  }
  const replaced: FeedFormat[] = [];
  for (const [i, format] of FEED_FORMATS.entries())
    if (await files[i]!.replace(compare)) replaced.push(format);
  if (trailer.length > 0) await writeFilesAtomicIfChanged(dir, trailer, compare);
  if (replaced.length > 0) await syncDirectory(dir);
  return replaced.map((format) => feedFilePath(variant, format));
}

const INPUTS_FILE = '.inputs';

function variantInputs(meta: FeedMeta, ids: readonly string[], facts: Map<string, ItemFacts>): string {
  const hash = createHash('sha256').update(JSON.stringify(meta));
  for (const id of ids) hash.update('\n').update(facts.get(id)!.stamp);
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
