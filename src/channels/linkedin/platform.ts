import type { PlatformRow } from '../adapter.js';
import { LINKEDIN_CAPABILITIES, LinkedInChannel } from './adapter.js';
import { DEFAULT_LINKEDIN_API_URL } from './api.js';
import { LINKEDIN_LIMIT, linkedinComposer } from './compose.js';
import {
  LINKEDIN_CREDENTIAL_KEYS,
  linkedinCredentialProblems,
  linkedinCredentialsFrom,
} from './credentials.js';

/** A LinkedIn organisation (company) page, through the Posts API with a 60-day access token. */
export const linkedinPlatform: PlatformRow = {
  id: 'linkedin',
  displayName: 'LinkedIn page',
  postNoun: 'post',
  envVars: {
    organizationId: 'LINKEDIN_ORGANIZATION_ID',
    accessToken: 'LINKEDIN_ACCESS_TOKEN',
    version: 'LINKEDIN_VERSION',
    tokenExpiresAt: 'LINKEDIN_TOKEN_EXPIRES_AT',
    apiUrl: 'LINKEDIN_API_URL',
  },
  defaultApiUrl: DEFAULT_LINKEDIN_API_URL,
  credentialKeys: LINKEDIN_CREDENTIAL_KEYS,
  credentialProblems: linkedinCredentialProblems,
  parseCredentials: linkedinCredentialsFrom,
  composer: linkedinComposer,
  createAdapter(config, { timeoutMs, imageFetch }) {
    const credentials = linkedinCredentialsFrom(config.credentials ?? {});
    return new LinkedInChannel({
      apiUrl: config.apiUrl,
      timeoutMs,
      imageFetch,
      tokenExpiresAt: credentials.tokenExpiresAt,
      version: credentials.version,
      accounts: (id) => (id === config.id ? { credentials } : undefined),
    });
  },
  limits: { textLength: LINKEDIN_LIMIT },
  capabilities: LINKEDIN_CAPABILITIES,
  // A fresh install shows Twitter and Facebook in dry-run; a LinkedIn page appears once its credentials are set.
  dryRunByDefault: false,
  editNote:
    'Publishing the edit updates the LinkedIn post: its text changes, its article card stays as first posted.',
};
