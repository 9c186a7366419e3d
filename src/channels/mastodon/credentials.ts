import { z } from 'zod';
import { credentialIssues, missingKeys, secretString as secret, type KeyLabel } from '../credentials.js';

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

export function mastodonCredentialsFrom(record: Record<string, string | undefined>): MastodonCredentials {
  const parsed = mastodon.safeParse(record);
  if (!parsed.success) throw new Error(`Mastodon credentials: ${credentialIssues(parsed.error)}`);
  return parsed.data;
}

export function mastodonCredentialProblems(
  credentials: Record<string, string>,
  label: KeyLabel,
  title: string,
): string[] {
  const problems = missingKeys(
    ['accessToken'],
    new Set(Object.keys(credentials)),
    label,
    `${title} needs an access token of the account`,
  );
  const visibility = credentials.visibility?.trim();
  if (visibility !== undefined && !(MASTODON_VISIBILITIES as readonly string[]).includes(visibility))
    problems.push(`${label('visibility')}: must be ${MASTODON_VISIBILITIES.join(', ')}`);
  return problems;
}
