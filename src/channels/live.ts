import type { Platform } from './adapter.js';
import type { ImageFetchPolicy } from './fetch-image.js';
import { facebookCredentialsFrom, twitterCredentialsFrom } from './credentials.js';
import { FacebookChannel } from './facebook/adapter.js';
import type { LiveChannelFactory } from './registry.js';
import { encryptedTokenStore, secretKeyFrom } from './secrets.js';
import type { TokenStore } from './twitter/auth.js';
import { TwitterChannel } from './twitter/adapter.js';
import { tiedToConfiguredToken } from './twitter/token-origin.js';
import { loadAccountSecret, saveAccountSecret } from '../store/accounts.js';

export interface LiveChannelOptions {
  /** HERALD_SECRET_KEY: required for Twitter OAuth 2 accounts (their rotated tokens are stored encrypted). */
  secretKey?: string | undefined;
  /** Per request; default 15 s. */
  timeoutMs?: number | undefined;
  /** Lock across processes around an OAuth 2 refresh (e.g. a Redis lock). */
  withLock?: TokenStore['withLock'];
  /** How item images are fetched (Twitter uploads them): allowPrivate from config allowPrivateUrls. */
  imageFetch?: ImageFetchPolicy | undefined;
}

/**
 * The real adapters, one per configured account with credentials. Credentials keys (account `credentials`):
 * Twitter `appKey, appSecret, accessToken, accessSecret` or `clientId, clientSecret?, refreshToken`;
 * Facebook `pageId, pageToken, appSecret?`. The account's `apiUrl` is the API address (Facebook: with version).
 */
export function liveChannelFactories(options: LiveChannelOptions = {}): Record<Platform, LiveChannelFactory> {
  const key = options.secretKey ? secretKeyFrom(options.secretKey) : null; // scrypt: derive once
  return {
    twitter: (config, { db }) => {
      const credentials = twitterCredentialsFrom(config.credentials ?? {});
      if (credentials.kind === 'oauth2' && !key) {
        throw new Error(
          `Twitter account "${config.id}" uses OAuth 2: set HERALD_SECRET_KEY so that its rotated refresh token can be stored encrypted`,
        );
      }
      const blobs = {
        load: (id: string) => loadAccountSecret(db, id),
        save: (id: string, blob: string) => saveAccountSecret(db, id, blob),
      };
      const encrypted = key ? encryptedTokenStore(blobs, key, options.withLock) : undefined;
      return new TwitterChannel({
        apiUrl: config.apiUrl,
        timeoutMs: options.timeoutMs,
        imageFetch: options.imageFetch,
        tokenStore:
          encrypted && credentials.kind === 'oauth2'
            ? tiedToConfiguredToken(encrypted, credentials.refreshToken)
            : encrypted,
        accounts: (id) => (id === config.id ? { credentials } : undefined),
      });
    },
    facebook: (config) => {
      const credentials = facebookCredentialsFrom(config.credentials ?? {});
      return new FacebookChannel({
        graphUrl: config.apiUrl,
        timeoutMs: options.timeoutMs,
        accounts: (id) => (id === config.id ? { credentials } : undefined),
      });
    },
  };
}
