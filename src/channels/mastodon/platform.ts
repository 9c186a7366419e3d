import type { PlatformRow } from '../adapter.js';
import { DEFAULT_MASTODON_URL } from './api.js';
import { MASTODON_CAPABILITIES, MastodonChannel } from './adapter.js';
import { MASTODON_LIMIT, mastodonComposer } from './compose.js';
import {
  MASTODON_CREDENTIAL_KEYS,
  mastodonCredentialProblems,
  mastodonCredentialsFrom,
} from './credentials.js';

/** A Mastodon account on any instance, through its REST API with a user access token. */
export const mastodonPlatform: PlatformRow = {
  id: 'mastodon',
  displayName: 'Mastodon',
  postNoun: 'status',
  envVars: {
    accessToken: 'MASTODON_ACCESS_TOKEN',
    visibility: 'MASTODON_VISIBILITY',
    spoilerText: 'MASTODON_SPOILER_TEXT',
    apiUrl: 'MASTODON_URL',
  },
  defaultApiUrl: DEFAULT_MASTODON_URL,
  credentialKeys: MASTODON_CREDENTIAL_KEYS,
  credentialProblems: mastodonCredentialProblems,
  parseCredentials: mastodonCredentialsFrom,
  composer: mastodonComposer,
  createAdapter(config, { timeoutMs, imageFetch }) {
    const credentials = mastodonCredentialsFrom(config.credentials ?? {});
    return new MastodonChannel({
      instanceUrl: config.apiUrl,
      timeoutMs,
      imageFetch,
      accounts: (id) => (id === config.id ? { credentials } : undefined),
    });
  },
  limits: { textLength: MASTODON_LIMIT },
  capabilities: MASTODON_CAPABILITIES,
  // A fresh install keeps its two dry-run accounts; MASTODON_ACCESS_TOKEN adds the `mastodon` account.
  dryRunByDefault: false,
  editNote:
    'Publishing the edit updates the Mastodon status: its text changes (Mastodon shows it as edited), its image stays.',
};
