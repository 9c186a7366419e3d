import type { PlatformRow } from '../adapter.js';
import { FACEBOOK_CAPABILITIES, FacebookChannel } from './adapter.js';
import { FACEBOOK_LIMIT, facebookComposer } from './compose.js';
import {
  FACEBOOK_CREDENTIAL_KEYS,
  facebookCredentialProblems,
  facebookCredentialsFrom,
} from './credentials.js';
import { DEFAULT_GRAPH_URL } from './graph.js';

/** A Facebook Page, through the Graph API with a Page access token. */
export const facebookPlatform: PlatformRow = {
  id: 'facebook',
  displayName: 'Facebook Page',
  postNoun: 'post',
  envVars: {
    pageId: 'FACEBOOK_PAGE_ID',
    pageToken: 'FACEBOOK_PAGE_TOKEN',
    appSecret: 'FACEBOOK_APP_SECRET',
    apiUrl: 'FACEBOOK_GRAPH_URL',
  },
  defaultApiUrl: DEFAULT_GRAPH_URL,
  credentialKeys: FACEBOOK_CREDENTIAL_KEYS,
  credentialProblems: facebookCredentialProblems,
  parseCredentials: facebookCredentialsFrom,
  composer: facebookComposer,
  createAdapter(config, { timeoutMs }) {
    const credentials = facebookCredentialsFrom(config.credentials ?? {});
    return new FacebookChannel({
      graphUrl: config.apiUrl,
      timeoutMs,
      accounts: (id) => (id === config.id ? { credentials } : undefined),
    });
  },
  limits: { textLength: FACEBOOK_LIMIT },
  capabilities: FACEBOOK_CAPABILITIES,
  editNote:
    'Publishing the edit updates the Facebook post: its text changes, its link and photo stay as first posted.',
};
