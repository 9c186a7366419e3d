import { z } from 'zod';

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

/** Finds an account's settings (from configuration and decrypted secrets); undefined when not configured. */
export type AccountLookup<T> = (accountId: string) => T | undefined | Promise<T | undefined>;

export interface FacebookPageCredentials {
  pageId: string;
  pageToken: string;
  /** When set, every call carries `appsecret_proof` (recommended by Facebook for server calls). */
  appSecret?: string | undefined;
}

const secret = z.string().trim().min(1);

const oauth1 = z.object({ appKey: secret, appSecret: secret, accessToken: secret, accessSecret: secret });
const oauth2 = z.object({
  clientId: secret,
  clientSecret: secret.optional(),
  refreshToken: secret,
  accessToken: secret.optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
const facebook = z.object({
  pageId: z.string().regex(/^\d+$/, 'must be the numeric Page id'),
  pageToken: secret,
  appSecret: secret.optional(),
});

/** Which keys are missing or wrong (names only: values are secrets and never appear in messages). */
function problems(error: z.ZodError): string {
  return error.issues
    .map(
      (i) =>
        `${i.path.join('.') || '(credentials)'} ${i.code === 'invalid_type' ? 'is missing' : 'is invalid'}`,
    )
    .join(', ');
}

/** Twitter credentials from an account's configuration; throws naming missing keys, never values. */
export function twitterCredentialsFrom(record: Record<string, string | undefined>): TwitterCredentials {
  if (record.clientId !== undefined || record.refreshToken !== undefined) {
    const parsed = oauth2.safeParse(record);
    if (!parsed.success) throw new Error(`Twitter OAuth 2 credentials: ${problems(parsed.error)}`);
    return { kind: 'oauth2', ...parsed.data };
  }
  const parsed = oauth1.safeParse(record);
  if (!parsed.success) {
    throw new Error(
      `Twitter credentials: ${problems(parsed.error)} (give appKey, appSecret, accessToken, accessSecret, or clientId and refreshToken)`,
    );
  }
  return { kind: 'oauth1', ...parsed.data };
}

export function facebookCredentialsFrom(record: Record<string, string | undefined>): FacebookPageCredentials {
  const parsed = facebook.safeParse(record);
  if (!parsed.success) throw new Error(`Facebook Page credentials: ${problems(parsed.error)}`);
  return parsed.data;
}

/** Every secret value, for redaction. */
export function secretValues(credentials: TwitterCredentials | FacebookPageCredentials): string[] {
  if ('pageToken' in credentials)
    return [credentials.pageToken, credentials.appSecret].filter((v): v is string => !!v);
  if (credentials.kind === 'oauth1')
    return [credentials.appKey, credentials.appSecret, credentials.accessToken, credentials.accessSecret];
  return [credentials.clientSecret, credentials.refreshToken, credentials.accessToken].filter(
    (v): v is string => !!v,
  );
}
