import type { Logger } from 'pino';
import type { FeedConfig, FeedSourceConfig } from '../config/feed.js';
import type { ItemRules } from '../domain/item.js';
import type { FlowDeps } from '../app/publishing.js';
import {
  recordPollFailure,
  recordPollSuccess,
  sourceState,
  type SkippedEntry,
} from '../store/feed-sources.js';
import { finishPendingPublishes, importEntry } from './import-entry.js';
import { MalformedFeedError, entryToItemFields, parseSourceFeed } from './entries.js';
import type { EntryMapping, ParsedSourceFeed } from './entries.js';
import { FetchError, safeFetch } from '../net/safe-fetch.js';

export interface IngestDeps extends FlowDeps {
  config: { allowPrivateUrls: boolean; feed: Pick<FeedConfig, 'fetchTimeoutMs' | 'fetchMaxBytes'> };
  log: Logger;
}

export interface PollResult {
  sourceId: string;
  ok: boolean;
  /** The source answered 304: nothing new since the last poll. */
  notModified: boolean;
  entries: number;
  created: string[];
  skipped: SkippedEntry[];
  /** Why the poll failed, in plain words (also recorded on the source). */
  error: { kind: string; reason: string } | null;
}

/**
 * Polls one source: a conditional GET, then each entry not seen before becomes one item (in its own
 * transaction, see ingest-store.ts), published at once for a `publish` source. Failures of the whole
 * source are recorded on it and returned, not thrown: the next scheduled poll is the retry.
 */
export async function pollSource(deps: IngestDeps, source: FeedSourceConfig): Promise<PollResult> {
  const result: PollResult = {
    sourceId: source.id,
    ok: false,
    notModified: false,
    entries: 0,
    created: [],
    skipped: [],
    error: null,
  };
  const { db } = deps.store;
  try {
    const state = await sourceState(db, source.id, source.url);
    // Items created but not published when a process stopped in between are published first.
    await finishPendingPublishes(deps, source);
    const fetched = await safeFetch(source.url, {
      etag: state.etag,
      lastModified: state.lastModified,
      allowPrivate: deps.config.allowPrivateUrls,
      timeoutMs: deps.config.feed.fetchTimeoutMs,
      maxBytes: deps.config.feed.fetchMaxBytes,
    });
    if (fetched.notModified) {
      await recordPollSuccess(db, source.id, {
        etag: fetched.etag ?? state.etag,
        lastModified: fetched.lastModified ?? state.lastModified,
        created: 0,
        skipped: null,
      });
      return { ...result, ok: true, notModified: true };
    }
    const feed = await parseSourceFeed(fetched.body);
    const mappings = mapEntries(feed, source, fetched.finalUrl, {
      allowPrivateUrls: deps.config.allowPrivateUrls,
    });
    result.entries = mappings.length;
    for (const mapping of mappings) await importMapping(deps, source, mapping, result);
    // The validators are saved last: a poll cut short fetches the whole feed again next time.
    await recordPollSuccess(db, source.id, {
      etag: fetched.etag,
      lastModified: fetched.lastModified,
      created: result.created.length,
      skipped: result.skipped,
    });
    deps.log.info(
      {
        source: source.id,
        entries: result.entries,
        created: result.created.length,
        skipped: result.skipped.length,
      },
      'source polled',
    );
    return { ...result, ok: true };
  } catch (error) {
    const problem = describeFailure(error);
    await recordPollFailure(db, source.id, problem.kind, problem.reason, result.created.length);
    deps.log.warn(
      { source: source.id, kind: problem.kind, reason: problem.reason },
      'source poll failed; the next poll tries again',
    );
    return { ...result, error: problem };
  }
}

/** Entries in date order (oldest first, undated last), so items are created in the order they were written. */
function mapEntries(
  feed: ParsedSourceFeed,
  source: FeedSourceConfig,
  feedUrl: string,
  rules: ItemRules,
): EntryMapping[] {
  const context = {
    language: source.language,
    feedLanguage: feed.language,
    feedLink: feed.link,
    feedUrl,
    rules,
  };
  const mappings = feed.entries.map((entry) => entryToItemFields(entry, context));
  const time = (m: EntryMapping) => (m.ok && m.date ? m.date.getTime() : Number.POSITIVE_INFINITY);
  return mappings
    .map((m, index) => ({ m, index }))
    .sort((a, b) => time(a.m) - time(b.m) || a.index - b.index)
    .map(({ m }) => m);
}

async function importMapping(
  deps: IngestDeps,
  source: FeedSourceConfig,
  mapping: EntryMapping,
  result: PollResult,
): Promise<void> {
  if (!mapping.ok) {
    result.skipped.push({ key: mapping.key, reason: mapping.reason });
    return;
  }
  const outcome = await importEntry(deps, source, mapping);
  if (outcome.status === 'created') result.created.push(outcome.itemId);
  if (outcome.status === 'failed') result.skipped.push({ key: mapping.key, reason: outcome.reason });
}

function describeFailure(error: unknown): { kind: string; reason: string } {
  if (error instanceof FetchError) return { kind: error.kind, reason: error.reason };
  if (error instanceof MalformedFeedError) return { kind: 'malformed', reason: error.message };
  return {
    kind: 'internal',
    reason: `could not process the source: ${(error as Error)?.message ?? String(error)}`,
  };
}
