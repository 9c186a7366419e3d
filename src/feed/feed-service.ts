import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/schema.js';
import type { NewsItem } from '../domain/item.js';
import type { Store } from '../store/db.js';
import {
  finishFeedBuild,
  lastFeedBuildStart,
  pruneFeedBuilds,
  recordWebSubError,
  startFeedBuild,
} from '../store/feed-builds.js';
import { LeaseTimeoutError, withLease } from '../store/leases.js';
import { publishedUploadAlts, withUploads } from '../store/media.js';
import { feedFingerprint, loadFeedItemIndex, loadFeedItems } from './feed-items.js';
import { feedMetaFor, feedSettingsSignature, feedsDirectory } from './feed-meta.js';
import { rebuildAllFeeds, type FeedItemSource } from './regenerate.js';
import { headBudget, withImageSizes } from './image-sizes.js';
import { FEED_FILE_NAMES, FEED_FORMATS, feedFilePath, feedUrls } from './variants.js';
import type { FeedVariant } from './variants.js';
import { pingWebSubHub } from './websub.js';
import { writeFileAtomic } from './write-atomic.js';

export interface FeedServiceDeps {
  store: Store;
  config: HeraldConfig;
  log: Logger;
}

export interface BuildOutcome {
  /** False when the feeds on disk already reflected the current items (nothing was rebuilt). */
  rebuilt: boolean;
  buildId: number | null;
  items: number;
  variants: FeedVariant[];
  /** Changed files, relative to the feeds directory. */
  written: string[];
}

const LEASE = 'feed-rebuild';
/** Renewed every third of this while a rebuild runs; bounds how long a holder on another machine that died blocks rebuilds. */
const LEASE_TTL_MS = 15_000;
const LEASE_WAIT_MS = 120_000;
const FINGERPRINT_FILE = '.fingerprint';
const UNCHANGED: BuildOutcome = { rebuilt: false, buildId: null, items: 0, variants: [], written: [] };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rebuilds the feed files from the published items: one rebuild at a time across every process
 * (a lease in the database), and only when something changed (a fingerprint of the published items
 * and the settings, stored next to the files once they are all written).
 */
export class FeedService {
  readonly dir: string;
  private readonly settings: string;

  constructor(private readonly deps: FeedServiceDeps) {
    this.dir = feedsDirectory(deps.config);
    this.settings = feedSettingsSignature(deps.config);
  }

  /** True when the files on disk reflect the current published items and settings (and the main ones are there). */
  async isCurrent(): Promise<boolean> {
    const { db } = this.deps.store;
    const [current, stored] = await Promise.all([
      feedFingerprint(db, this.settings, () => publishedUploadAlts(db)),
      this.storedFingerprint(),
    ]);
    if (stored === null || stored !== current) return false;
    const present = await Promise.all(
      FEED_FORMATS.map((f) =>
        stat(path.join(this.dir, FEED_FILE_NAMES[f])).then(
          () => true,
          () => false,
        ),
      ),
    );
    return present.every(Boolean);
  }

  /** Whether the feeds have ever been written in this data dir. */
  async everBuilt(): Promise<boolean> {
    return (await this.storedFingerprint()) !== null;
  }

  /**
   * Makes the feeds current, as a throttle: the first change after a quiet spell is rebuilt at once;
   * while rebuilds are less than `rebuildIntervalMs` apart, callers wait for the interval to end and
   * the next rebuild (run by whichever holds the lease) covers them all. So a burst costs at most
   * two rebuilds per interval, whatever the number of changes, jobs or worker processes, and the last
   * rebuild always reads the items after the last change. `force` rebuilds now, even when current.
   */
  async ensureCurrent(trigger: string, options: { force?: boolean } = {}): Promise<BuildOutcome> {
    const deadline = Date.now() + LEASE_WAIT_MS;
    for (;;) {
      if (!options.force && (await this.isCurrent())) return UNCHANGED;
      const wait = (await this.nextAllowedStart()) - Date.now();
      if (!options.force && wait > 0) {
        if (Date.now() + wait > deadline) throw new LeaseTimeoutError(LEASE, LEASE_WAIT_MS);
        await sleep(wait);
        continue;
      }
      const outcome = await withLease(
        this.deps.store.db,
        LEASE,
        { ttlMs: LEASE_TTL_MS, waitMs: LEASE_WAIT_MS },
        async () => {
          if (options.force) return this.build(trigger);
          // Decided again holding the lease: the rebuild that just ended may have covered this change,
          // or started less than an interval ago (then wait for the next turn).
          if (await this.isCurrent()) return UNCHANGED;
          if ((await this.nextAllowedStart()) > Date.now()) return null;
          return this.build(trigger);
        },
      );
      if (outcome === null) continue;
      if (outcome.written.length > 0) await this.pingHub(outcome);
      return outcome;
    }
  }

  private async nextAllowedStart(): Promise<number> {
    const last = await lastFeedBuildStart(this.deps.store.db);
    return last === null ? 0 : Date.parse(last) + this.deps.config.feed.rebuildIntervalMs;
  }

  private async build(trigger: string): Promise<BuildOutcome> {
    const { db } = this.deps.store;
    const started = performance.now();
    const buildId = await startFeedBuild(db, trigger);
    try {
      const index = await loadFeedItemIndex(db, this.settings);
      // Read before the items' pictures: an alt text edited meanwhile then makes the next check rebuild.
      const uploadAlts = await publishedUploadAlts(db);
      const heads = headBudget();
      const source: FeedItemSource = {
        outlines: index.outlines,
        // Each page with its pictures and their sizes; the HEAD requests for unknown sizes share one budget.
        load: async (ids) => {
          const loaded = await loadFeedItems(db, index, ids);
          const uploaded = await withUploads(db, loaded, 'card', this.deps.config.publicUrl);
          return withImageSizes(db, uploaded, { allowPrivate: this.deps.config.allowPrivateUrls }, heads);
        },
      };
      await mkdir(this.dir, { recursive: true });
      const result = await rebuildAllFeeds(
        source,
        this.dir,
        (variant) => feedMetaFor(this.deps.config, variant),
        { stamp: itemStamp },
      );
      // Written last: a crash before this line leaves the old fingerprint, so the next check rebuilds.
      await writeFileAtomic(path.join(this.dir, FINGERPRINT_FILE), index.fingerprint(uploadAlts));
      const durationMs = performance.now() - started;
      await finishFeedBuild(db, buildId, {
        durationMs,
        items: index.count,
        variants: result.variants.length,
        filesWritten: result.written.length,
      });
      await pruneFeedBuilds(db).catch(() => undefined);
      this.deps.log.info(
        {
          buildId,
          trigger,
          items: index.count,
          variants: result.variants.length,
          written: result.written.length,
          ms: Math.round(durationMs),
        },
        'feeds rebuilt',
      );
      return {
        rebuilt: true,
        buildId,
        items: index.count,
        variants: result.variants,
        written: result.written,
      };
    } catch (error) {
      await finishFeedBuild(db, buildId, {
        durationMs: performance.now() - started,
        error: (error as Error).message,
      }).catch(() => undefined);
      throw error;
    }
  }

  /** Best effort: a hub that is down does not make the rebuild fail (readers still poll the feeds). */
  private async pingHub(outcome: BuildOutcome): Promise<void> {
    const hubUrl = this.deps.config.feed.hubUrl;
    if (!hubUrl || outcome.buildId === null) return;
    const changed = new Set(outcome.written);
    const urls = outcome.variants.flatMap((variant) => {
      const addresses = feedUrls(this.deps.config.publicUrl, variant);
      return FEED_FORMATS.filter((format) => changed.has(feedFilePath(variant, format))).map(
        (format) => addresses[format],
      );
    });
    try {
      await pingWebSubHub(hubUrl, urls);
      await recordWebSubError(this.deps.store.db, outcome.buildId, null);
    } catch (error) {
      const reason = (error as Error).message;
      this.deps.log.warn(
        { buildId: outcome.buildId, err: reason },
        'WebSub hub ping failed; subscribers will see the change at their next poll',
      );
      await recordWebSubError(this.deps.store.db, outcome.buildId, reason).catch(() => undefined);
    }
  }

  private async storedFingerprint(): Promise<string | null> {
    try {
      return (await readFile(path.join(this.dir, FINGERPRINT_FILE), 'utf8')).trim() || null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}

/**
 * Items from the store change content only with a new revision, their uploaded picture's alt text without one:
 * these fields identify what a feed shows of one. The image's size is in it too: a length learnt after the item
 * was first built rebuilds its variants.
 */
const itemStamp = (item: NewsItem) =>
  `${item.id}|${item.status}|${item.revision}|${item.publishedRevision ?? ''}|${item.publishedAt ?? ''}|${item.updatedAt}|${item.imageUrl ?? ''}|${item.imageAlt ?? ''}|${item.imageSize?.bytes ?? ''}`;

const services = new WeakMap<object, FeedService>();

/** One FeedService per context (the routes and the worker of one process share it). */
export function feedServiceFor(ctx: FeedServiceDeps): FeedService {
  let service = services.get(ctx);
  if (!service) {
    service = new FeedService(ctx);
    services.set(ctx, service);
  }
  return service;
}
