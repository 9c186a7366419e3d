import { z } from 'zod';
import { credentialRules, credentialsParser, secretString as secret, type KeyLabel } from '../credentials.js';

/** A Bluesky account signed in with an app password (Settings → Privacy and security → App passwords). */
export interface BlueskyCredentials {
  /** Handle (name.bsky.social) or DID (did:plc:...). */
  identifier: string;
  appPassword: string;
}

const bluesky = z.object({
  identifier: z
    .string()
    .trim()
    .regex(
      /^(did:[a-z]+:\S+|@?[a-zA-Z0-9.-]+\.[a-zA-Z]{2,})$/,
      'must be a handle such as name.bsky.social or a DID',
    ),
  appPassword: secret,
});

export const BLUESKY_CREDENTIAL_KEYS = ['identifier', 'appPassword'];

const parseBluesky = credentialsParser(bluesky, 'Bluesky credentials');

/** Bluesky credentials from an account's configuration; throws naming keys, never values. */
export function blueskyCredentialsFrom(record: Record<string, string | undefined>): BlueskyCredentials {
  const { identifier, appPassword } = parseBluesky(record);
  return { identifier: identifier.replace(/^@/, ''), appPassword };
}

const blueskyKeyProblems = credentialRules(
  BLUESKY_CREDENTIAL_KEYS,
  (title) => `${title} needs the account's handle or DID and an app password`,
);

/** What is missing: both keys, and HERALD_SECRET_KEY (the session is stored encrypted). */
export function blueskyCredentialProblems(
  credentials: Record<string, string>,
  label: KeyLabel,
  title: string,
  hasSecretKey: boolean,
): string[] {
  const problems = blueskyKeyProblems(credentials, label, title);
  if (!hasSecretKey) {
    problems.push(
      `HERALD_SECRET_KEY (secretKey): is required by ${title} (its Bluesky session is stored encrypted, so that Herald does not sign in again for every post)`,
    );
  }
  return problems;
}
