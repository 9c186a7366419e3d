import type { HeraldConfig } from '../config/schema.js';
import type { Store } from '../store/db.js';
import { listFeedBuilds, type FeedBuild } from '../store/feed-builds.js';
import { existingVariants } from './regenerate.js';
import { feedsDirectory } from './feed-meta.js';
import { feedUrls } from './variants.js';
import type { FeedVariant } from './variants.js';

export interface FeedOverview {
  /** The main feeds, ready for `<link rel="alternate">`. */
  main: { rss: string; atom: string; json: string };
  /** Per-language and per-tag feeds that exist now. */
  variants: Array<{ kind: 'language' | 'tag'; name: string; rss: string; atom: string; json: string }>;
  lastBuild: FeedBuild | null;
  lastFailedBuild: FeedBuild | null;
}

/** Where the feeds are and how the last rebuilds went (for `GET /api/feeds` and `herald status`). */
export async function feedOverview(ctx: { config: HeraldConfig; store: Store }): Promise<FeedOverview> {
  const builds = await listFeedBuilds(ctx.store.db, 50);
  const variants = (await existingVariants(feedsDirectory(ctx.config))).flatMap((variant: FeedVariant) => {
    if (variant.kind === 'all') return [];
    const name = variant.kind === 'language' ? variant.language : variant.tag;
    return [{ kind: variant.kind, name, ...feedUrls(ctx.config.publicUrl, variant) }];
  });
  return {
    main: feedUrls(ctx.config.publicUrl, { kind: 'all' }),
    variants,
    lastBuild: builds.find((b) => b.finishedAt !== null && b.error === null) ?? null,
    lastFailedBuild: builds.find((b) => b.error !== null) ?? null,
  };
}
