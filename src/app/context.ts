import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/schema.js';
import { resolveAccounts } from '../config/accounts.js';
import type { ImageFetchPolicy } from '../channels/fetch-image.js';
import { liveChannelFactories } from '../channels/live.js';
import { oauthRefreshLock } from '../channels/refresh-lock.js';
import { ChannelRegistry } from '../channels/registry.js';
import type { DeliveryTarget } from '../domain/publication.js';
import type { NewsItem } from '../domain/item.js';
import { createLogger } from '../log.js';
import { openStore, sqliteFile, type Store } from '../store/db.js';
import { securePrivateFiles } from '../ops/file-modes.js';
import { migrateToLatest } from '../store/migrate.js';
import { syncAccounts } from '../store/accounts.js';
import { Queues } from '../queues/producer.js';
import { RateGate } from '../queues/rate-gate.js';
import type { RedisTarget } from '../redis/connection.js';
import type { FlowDeps } from './publishing.js';
import type { DeliveryKind } from '../domain/delivery.js';
import { HeraldMetrics } from '../ops/metrics/metrics.js';
import { mediaStoreFor } from './media.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { secretKeyFrom } from '../channels/secrets.js';
import { connectedAccountsRefresher } from './connected-accounts.js';

/** Everything a process needs, built once from the configuration. */
export interface Context extends FlowDeps {
  config: HeraldConfig;
  log: Logger;
  store: Store;
  redis: RedisTarget;
  queues: Queues;
  gate: RateGate;
  channels: ChannelRegistry;
  /** This process's Prometheus series (src/ops/metrics); workers report to it. */
  metrics: HeraldMetrics;
  /** Encrypts tokens at rest: from HERALD_SECRET_KEY, or the key generated into the data dir. */
  secretKey: Buffer;
  /** Brings the registry up to date with the accounts connected from the Channels page. */
  refreshConnected(force?: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface ContextOptions {
  redis: RedisTarget;
  log?: Logger;
  /** Run pending migrations first (default true). */
  migrate?: boolean;
  /** Host name resolution for item image downloads (tests: a name that resolves to a private address). */
  resolveImageHost?: ImageFetchPolicy['resolveHost'];
}

export async function createContext(config: HeraldConfig, options: ContextOptions): Promise<Context> {
  const log = options.log ?? createLogger(config.logLevel, { format: config.logFormat });
  // Before anything is opened: bad credentials stop the process with a clear message.
  const resolved = resolveAccounts(config);
  for (const note of resolved.notes) log.warn(note);
  const store = openStore(config.databaseUrl, config.dataDir);
  if (options.migrate !== false) {
    await migrateToLatest(store, {
      onNewerSchema: (unknown) =>
        log.warn(
          { migrations: unknown },
          'the database schema is newer than this Herald (a rolling upgrade?): running on it without migrating; upgrade this process',
        ),
    });
  }
  // The database and its journal exist now; what cannot be restricted (another owner) is said, not fatal.
  for (const file of securePrivateFiles(config.dataDir, sqliteFile(config.databaseUrl, config.dataDir)))
    log.warn({ file }, 'could not make this file private to Herald (chmod 600/700 it)');
  const queues = new Queues(options.redis, {
    prefix: config.queuePrefix,
    attempts: config.delivery.attempts,
    backoffMs: config.delivery.backoffMs,
  });
  const withLock = oauthRefreshLock(queues.connection, config.queuePrefix);
  const imageFetch = { allowPrivate: config.allowPrivateUrls, resolveHost: options.resolveImageHost };
  const secret = resolveSecretKey(config.secretKey, config.dataDir);
  if (secret.created)
    log.warn({ file: secret.file }, 'no HERALD_SECRET_KEY set: generated one and saved it in this file');
  const liveFactories = liveChannelFactories({
    secretKey: secret.key,
    timeoutMs: config.channels.timeoutMs,
    withLock,
    imageFetch,
    readMedia: (file: string) => mediaStoreFor(config).get(file),
  });
  const channels = new ChannelRegistry(resolved.accounts, {
    db: store.db,
    publicUrl: config.publicUrl,
    dryRunLatencyMs: config.channels.dryRunLatencyMs,
    liveFactories,
  });
  await syncAccounts(store.db, channels.accounts());
  const secretKey = secretKeyFrom(secret.key);
  const refreshConnected = connectedAccountsRefresher(store.db, secretKey, channels);
  await refreshConnected(true);
  // Another process (the web app) may connect an account: every process picks it up within seconds.
  const refreshTimer = setInterval(() => {
    refreshConnected().catch((error: unknown) =>
      log.warn({ err: error }, 'could not read the connected accounts; trying again shortly'),
    );
  }, CONNECTED_REFRESH_MS);
  refreshTimer.unref();
  const gate = new RateGate(queues.connection, config.queuePrefix);
  const targets = (item: NewsItem): DeliveryTarget[] => deliveryTargets(channels, item);
  const metrics = new HeraldMetrics({
    queues,
    store,
    platformOf: (kind, target) => platformOf(channels, kind, target),
    newsletterRateLimit: config.newsletter.messagesPerSecond,
  });
  return {
    config,
    log,
    store,
    redis: options.redis,
    queues,
    gate,
    channels,
    metrics,
    secretKey,
    refreshConnected,
    timezone: config.timezone,
    requireReview: config.publishing.requireReview,
    targets,
    async close() {
      clearInterval(refreshTimer);
      await queues.close();
      await store.close();
    },
  };
}

const CONNECTED_REFRESH_MS = 5_000;

/** Where an item can be delivered in this installation. */
export function deliveryTargets(channels: ChannelRegistry, item: NewsItem): DeliveryTarget[] {
  const social = channels.accounts().map((account) => {
    const caps = channels.get(account.id)!.channel.capabilities;
    return { kind: 'channel' as const, target: account.id, updates: caps.update, deletes: caps.delete };
  });
  // Every item is in the feeds: publishing, edits and withdrawal each rebuild them (src/queues/feed-handler.ts).
  // "Announce to members": one announcement newsletter to the member contacts (src/newsletter/announce.ts).
  return [...social, FEED_TARGET, ...(item.announce ? [ANNOUNCE_TARGET] : [])];
}

/** The platform label of a delivery in metrics: the account's platform, or the kind's own medium. */
function platformOf(channels: ChannelRegistry, kind: DeliveryKind, target: string): string {
  if (kind === 'channel') return channels.get(target)?.account.platform ?? 'unknown';
  return kind === 'feed' ? 'feed' : 'email';
}

const FEED_TARGET: DeliveryTarget = { kind: 'feed', target: 'main', updates: true, deletes: true };
const ANNOUNCE_TARGET: DeliveryTarget = {
  kind: 'newsletter',
  target: 'announce',
  updates: false,
  deletes: false,
};
