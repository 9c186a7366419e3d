import type { PlatformId } from '../domain/platform.js';
import type { AdapterDeps } from './adapter.js';
import type { ImageFetchPolicy } from './fetch-image.js';
import { platformRows } from './platforms.js';
import type { LiveChannelFactory } from './registry.js';
import { secretKeyFrom } from './secrets.js';

export interface LiveChannelOptions {
  /** HERALD_SECRET_KEY: required for Twitter OAuth 2 accounts (their rotated tokens are stored encrypted). */
  secretKey?: string | undefined;
  /** Per request; default 15 s. */
  timeoutMs?: number | undefined;
  /** Lock across processes around an OAuth 2 refresh (e.g. a Redis lock). */
  withLock?: AdapterDeps['withLock'];
  /** How item images are fetched (Twitter uploads them): allowPrivate from config allowPrivateUrls. */
  imageFetch?: ImageFetchPolicy | undefined;
  readMedia?: AdapterDeps['readMedia'];
}

/**
 * The real adapters, one per configured account with credentials: each platform row's `createAdapter`.
 * The account's `apiUrl` is the API address (Facebook: with version).
 */
export function liveChannelFactories(
  options: LiveChannelOptions = {},
): Record<PlatformId, LiveChannelFactory> {
  const secretKey = options.secretKey ? secretKeyFrom(options.secretKey) : null; // scrypt: derive once
  const shared = {
    secretKey,
    timeoutMs: options.timeoutMs,
    withLock: options.withLock,
    imageFetch: options.imageFetch,
    readMedia: options.readMedia,
  };
  return Object.fromEntries(
    platformRows().map(
      (row) =>
        [row.id, (config, { db }) => row.createAdapter(config, { db, ...shared })] satisfies [
          PlatformId,
          LiveChannelFactory,
        ],
    ),
  ) as Record<PlatformId, LiveChannelFactory>;
}
