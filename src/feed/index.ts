// The feed module's public API (building, writing, serving paths, ingest, webhook signatures).
export { buildFeedChunks, buildFeeds, buildFeedsFromEntries } from './build.js';
export type { BuiltFeeds, FeedAuthor, FeedChunks, FeedMeta } from './build.js';
export { checkFeed } from './check-feed.js';
export type { FeedCheckReport, FeedProblem } from './check-feed.js';
export { itemGuid } from './feed-entry.js';
export { MalformedFeedError, entryDate, entryKey, entryToItemFields, parseSourceFeed } from '../ingest/entries.js';
export type { EntryContext, EntryMapping, ParsedSourceFeed, SourceEntry } from '../ingest/entries.js';
export { rebuildAllFeeds } from './regenerate.js';
export type { RebuildOptions, RebuildResult } from './regenerate.js';
export { FeedService, feedServiceFor } from './feed-service.js';
export type { BuildOutcome } from './feed-service.js';
export { FeedFileReader, notModified } from './feed-files.js';
export { htmlAsMarkdown } from '../ingest/body.js';
export { pollSource } from '../ingest/poll.js';
export type { PollResult } from '../ingest/poll.js';
export { createAndPublishFromHook } from '../ingest/webhook.js';
export { FetchError, safeFetch } from '../net/safe-fetch.js';
export type { FetchErrorKind, SafeFetchOptions, SafeFetchResult } from '../net/safe-fetch.js';
export {
  DEFAULT_FEED_LIMIT,
  feedVariantsFor,
  itemsForVariant,
  itemsInLanguage,
  itemsWithTag,
} from './select.js';
export {
  FEED_CONTENT_TYPES,
  FEED_FILE_NAMES,
  FEED_FORMATS,
  InvalidFeedVariantError,
  feedFilePath,
  feedUrlPath,
  feedUrls,
  languageVariant,
  parseFeedUrlPath,
  tagVariant,
} from './variants.js';
export type { FeedFormat, FeedVariant } from './variants.js';
export { signWebhook, verifyWebhook, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from '../ingest/webhook-signature.js';
export { WebSubPingError, pingWebSubHub } from './websub.js';
export { writeFeedFiles, writeFileAtomic, writeFilesAtomicIfChanged } from './write-atomic.js';
