import { z } from 'zod';
import {
  credentialIssues,
  missingKeys,
  secretString as secret,
  setValues,
  type KeyLabel,
} from '../credentials.js';

/** OAuth 1.0a user context: the app's keys and the account's access token and secret. */
export interface TwitterOAuth1Credentials {
  kind: 'oauth1';
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

/** OAuth 2 user context. The refresh token here is the first one; rotated ones live in the TokenStore. */
export interface TwitterOAuth2Credentials {
  kind: 'oauth2';
  clientId: string;
  clientSecret?: string | undefined;
  refreshToken: string;
  accessToken?: string | undefined;
  /** ISO-8601 expiry of `accessToken`. */
  expiresAt?: string | undefined;
}

export type TwitterCredentials = TwitterOAuth1Credentials | TwitterOAuth2Credentials;

const oauth1 = z.object({ appKey: secret, appSecret: secret, accessToken: secret, accessSecret: secret });
const oauth2 = z.object({
  clientId: secret,
  clientSecret: secret.optional(),
  refreshToken: secret,
  accessToken: secret.optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

/** Twitter credentials from an account's configuration; throws naming missing keys, never values. */
export function twitterCredentialsFrom(record: Record<string, string | undefined>): TwitterCredentials {
  if (record.clientId !== undefined || record.refreshToken !== undefined) {
    const parsed = oauth2.safeParse(record);
    if (!parsed.success) throw new Error(`Twitter OAuth 2 credentials: ${credentialIssues(parsed.error)}`);
    return { kind: 'oauth2', ...parsed.data };
  }
  const parsed = oauth1.safeParse(record);
  if (!parsed.success) {
    throw new Error(
      `Twitter credentials: ${credentialIssues(parsed.error)} (give appKey, appSecret, accessToken, accessSecret, or clientId and refreshToken)`,
    );
  }
  return { kind: 'oauth1', ...parsed.data };
}

/** Every secret value, for redaction. */
export function twitterSecretValues(credentials: TwitterCredentials): string[] {
  if (credentials.kind === 'oauth1')
    return [credentials.appKey, credentials.appSecret, credentials.accessToken, credentials.accessSecret];
  return setValues(credentials.clientSecret, credentials.refreshToken, credentials.accessToken);
}

const OAUTH1 = ['appKey', 'appSecret', 'accessToken', 'accessSecret'];
const OAUTH2_REQUIRED = ['clientId', 'refreshToken'];
/** Keys that only make sense in one of the two Twitter schemes (accessToken exists in both). */
const OAUTH1_ONLY = ['appKey', 'appSecret', 'accessSecret'];
const OAUTH2_ONLY = ['clientId', 'clientSecret', 'refreshToken', 'expiresAt'];
export const TWITTER_CREDENTIAL_KEYS = [...OAUTH1, ...OAUTH2_ONLY];

/** Which scheme the keys choose and what it lacks; OAuth 2 also needs HERALD_SECRET_KEY. */
export function twitterCredentialProblems(
  keys: string[],
  label: KeyLabel,
  title: string,
  hasSecretKey: boolean,
): string[] {
  const have = new Set(keys);
  const usesOAuth2 = OAUTH2_ONLY.some((k) => have.has(k));
  const oauth1Only = OAUTH1_ONLY.filter((k) => have.has(k));
  if (usesOAuth2 && oauth1Only.length > 0) {
    return [
      `${title}: give either OAuth 1.0a keys (appKey, appSecret, accessToken, accessSecret) or OAuth 2 (clientId, clientSecret, refreshToken), not both: ${oauth1Only.map(label).join(', ')} must go`,
    ];
  }
  if (!usesOAuth2)
    return missingKeys(
      OAUTH1,
      have,
      label,
      `${title} uses OAuth 1.0a, which needs appKey, appSecret, accessToken and accessSecret`,
    );
  const problems = missingKeys(
    OAUTH2_REQUIRED,
    have,
    label,
    `${title} uses OAuth 2, which needs clientId and refreshToken`,
  );
  if (!hasSecretKey) {
    problems.push(
      `HERALD_SECRET_KEY (secretKey): is required by ${title}, which uses OAuth 2 (its rotating refresh token is stored encrypted)`,
    );
  }
  return problems;
}
