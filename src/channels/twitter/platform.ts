import type { PlatformRow } from '../adapter.js';
import { encryptedTokenStore } from '../secrets.js';
import { loadAccountSecret, saveAccountSecret } from '../../store/accounts.js';
import { TWITTER_CAPABILITIES, TwitterChannel } from './adapter.js';
import { DEFAULT_TWITTER_API_URL } from './client.js';
import { TWEET_LIMIT, twitterComposer } from './compose.js';
import { TWITTER_CREDENTIAL_KEYS, twitterCredentialProblems, twitterCredentialsFrom } from './credentials.js';
import { tiedToConfiguredToken } from './token-origin.js';

/** Twitter/X: OAuth 1.0a keys, or OAuth 2 with a rotating refresh token stored encrypted. */
export const twitterPlatform: PlatformRow = {
  id: 'twitter',
  displayName: 'Twitter/X',
  postNoun: 'tweet',
  envVars: {
    appKey: 'TWITTER_APP_KEY',
    appSecret: 'TWITTER_APP_SECRET',
    accessToken: 'TWITTER_ACCESS_TOKEN',
    accessSecret: 'TWITTER_ACCESS_SECRET',
    clientId: 'TWITTER_OAUTH2_CLIENT_ID',
    clientSecret: 'TWITTER_OAUTH2_CLIENT_SECRET',
    refreshToken: 'TWITTER_OAUTH2_REFRESH_TOKEN',
    apiUrl: 'TWITTER_API_URL',
  },
  defaultApiUrl: DEFAULT_TWITTER_API_URL,
  credentialKeys: TWITTER_CREDENTIAL_KEYS,
  credentialProblems: (credentials, label, title, hasSecretKey) =>
    twitterCredentialProblems(Object.keys(credentials), label, title, hasSecretKey),
  parseCredentials: twitterCredentialsFrom,
  composer: twitterComposer,
  createAdapter(config, { db, secretKey, timeoutMs, withLock, imageFetch, readMedia }) {
    const credentials = twitterCredentialsFrom(config.credentials ?? {});
    if (credentials.kind === 'oauth2' && !secretKey) {
      throw new Error(
        `Twitter account "${config.id}" uses OAuth 2: set HERALD_SECRET_KEY so that its rotated refresh token can be stored encrypted`,
      );
    }
    const blobs = {
      load: (id: string) => loadAccountSecret(db, id),
      save: (id: string, blob: string) => saveAccountSecret(db, id, blob),
    };
    const encrypted = secretKey ? encryptedTokenStore(blobs, secretKey, withLock) : undefined;
    return new TwitterChannel({
      apiUrl: config.apiUrl,
      timeoutMs,
      imageFetch,
      readMedia,
      tokenStore:
        encrypted && credentials.kind === 'oauth2'
          ? tiedToConfiguredToken(encrypted, credentials.refreshToken)
          : encrypted,
      accounts: (id) => (id === config.id ? { credentials } : undefined),
    });
  },
  limits: { textLength: TWEET_LIMIT },
  capabilities: TWITTER_CAPABILITIES,
};
