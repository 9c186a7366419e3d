import type { Context } from '../app/context.js';
import { feedOverview, type FeedOverview } from '../feed/feed-overview.js';
import { describeSources, type SourceStatus } from '../ingest/source-status.js';

export interface FeedStatus {
  feeds: Pick<FeedOverview, 'main' | 'lastBuild' | 'lastFailedBuild'> & { variants: number };
  sources: SourceStatus[];
}

/** The feeds' and sources' part of `herald status`. */
export async function feedStatus(ctx: Context): Promise<FeedStatus> {
  const [overview, sources] = await Promise.all([
    feedOverview(ctx),
    describeSources(ctx.store.db, ctx.config.feed.sources),
  ]);
  return {
    feeds: {
      main: overview.main,
      lastBuild: overview.lastBuild,
      lastFailedBuild: overview.lastFailedBuild,
      variants: overview.variants.length,
    },
    sources,
  };
}

export function printFeedStatus(status: FeedStatus): void {
  const { lastBuild, lastFailedBuild } = status.feeds;
  console.log(`Feeds: ${status.feeds.main.rss} (+ ${status.feeds.variants} per-language/tag feeds)`);
  console.log(
    lastBuild
      ? `  last rebuild ${lastBuild.finishedAt}: ${lastBuild.items} items, ${lastBuild.filesWritten} files changed, ${lastBuild.durationMs} ms`
      : '  not built yet',
  );
  if (lastFailedBuild && (!lastBuild || lastFailedBuild.id > lastBuild.id))
    console.log(`  LAST REBUILD FAILED ${lastFailedBuild.startedAt}: ${lastFailedBuild.error}`);
  if (lastBuild?.websubError) console.log(`  WebSub ping failed: ${lastBuild.websubError}`);
  console.log(status.sources.length ? 'Sources:' : 'Sources: none configured.');
  for (const s of status.sources) {
    const state = s.lastError
      ? `FAILING (${s.consecutiveFailures}x) since ${s.lastError.at}: ${s.lastError.reason}`
      : s.lastSuccessAt
        ? `ok, last read ${s.lastSuccessAt}`
        : 'not polled yet';
    console.log(`  ${s.id.padEnd(16)} ${s.mode.padEnd(7)} ${s.itemsCreated} items  ${state}`);
    if (s.skippedEntries.length > 0)
      console.log(`    ${s.skippedEntries.length} entries skipped, e.g. ${s.skippedEntries[0]!.reason}`);
  }
}
