import type { PlatformRow } from '../adapter.js';
import { loadAccountSecret, saveAccountSecret } from '../../store/accounts.js';
import { BLUESKY_CAPABILITIES, BlueskyChannel, DEFAULT_BLUESKY_SERVICE } from './adapter.js';
import { blueskyComposer } from './compose.js';
import { BLUESKY_CREDENTIAL_KEYS, blueskyCredentialProblems, blueskyCredentialsFrom } from './credentials.js';
import { POST_LIMIT } from './rich.js';
import { encryptedSessionStore } from './session.js';

/** Bluesky (AT Protocol): an app password, with the session stored encrypted and refreshed, never re-created per post. */
export const blueskyPlatform: PlatformRow = {
  id: 'bluesky',
  displayName: 'Bluesky',
  postNoun: 'post',
  envVars: {
    identifier: 'BLUESKY_IDENTIFIER',
    appPassword: 'BLUESKY_APP_PASSWORD',
    apiUrl: 'BLUESKY_SERVICE',
  },
  defaultApiUrl: DEFAULT_BLUESKY_SERVICE,
  credentialKeys: BLUESKY_CREDENTIAL_KEYS,
  credentialProblems: blueskyCredentialProblems,
  parseCredentials: blueskyCredentialsFrom,
  composer: blueskyComposer,
  createAdapter(config, { db, secretKey, timeoutMs, withLock, imageFetch }) {
    const credentials = blueskyCredentialsFrom(config.credentials ?? {});
    if (!secretKey) {
      throw new Error(
        `Bluesky account "${config.id}": set HERALD_SECRET_KEY so that its session can be stored encrypted`,
      );
    }
    const blobs = {
      load: (id: string) => loadAccountSecret(db, id),
      save: (id: string, blob: string) => saveAccountSecret(db, id, blob),
    };
    return new BlueskyChannel({
      service: config.apiUrl,
      timeoutMs,
      imageFetch,
      withLock,
      sessionStore: encryptedSessionStore(blobs, secretKey),
      accounts: (id) => (id === config.id ? { credentials } : undefined),
    });
  },
  limits: { textLength: POST_LIMIT },
  capabilities: BLUESKY_CAPABILITIES,
  // A fresh install shows Twitter and Facebook in dry-run; Bluesky appears once its credentials are set.
  dryRunByDefault: false,
};
