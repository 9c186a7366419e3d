import { z } from 'zod';
import { credentialRules, credentialsParser, secretString as secret } from '../credentials.js';

export const MASTODON_VISIBILITIES = ['public', 'unlisted', 'private', 'direct'] as const;
export type MastodonVisibility = (typeof MASTODON_VISIBILITIES)[number];

export interface MastodonCredentials {
  /** A user access token with write:statuses, write:media and read:accounts. */
  accessToken: string;
  /** Who sees the statuses; default public. */
  visibility: MastodonVisibility;
  /** A content warning shown before every status of this account, when set. */
  spoilerText?: string | undefined;
}

const mastodon = z.object({
  accessToken: secret,
  visibility: z.enum(MASTODON_VISIBILITIES).default('public'),
  spoilerText: z.string().trim().min(1).max(500).optional(),
});

export const MASTODON_CREDENTIAL_KEYS = ['accessToken', 'visibility', 'spoilerText'];

export const mastodonCredentialsFrom: (record: Record<string, string | undefined>) => MastodonCredentials =
  credentialsParser(mastodon, 'Mastodon credentials');

export const mastodonCredentialProblems = credentialRules(
  ['accessToken'],
  (title) => `${title} needs an access token of the account`,
  {
    visibility: {
      valid: (v) => (MASTODON_VISIBILITIES as readonly string[]).includes(v),
      problem: `must be ${MASTODON_VISIBILITIES.join(', ')}`,
    },
  },
);
