import { z } from 'zod';
import { isHttpUrl } from '../domain/item.js';

// The `channels` section's simple set-up: one account per platform from environment variables (or the same
// keys in the file), a secrets file, and the platform request timeout. Owned by the social module.

const secret = z.string().trim().min(1, 'must not be empty').optional();
const apiUrl = z.string().refine(isHttpUrl, 'must be an absolute http(s) URL').optional();

/** The default Twitter/X account (id `twitter`): OAuth 1.0a keys, or OAuth 2 client and refresh token. */
export const defaultTwitterSchema = z.strictObject({
  appKey: secret,
  appSecret: secret,
  accessToken: secret,
  accessSecret: secret,
  clientId: secret,
  clientSecret: secret,
  refreshToken: secret,
  /** API address (tests, proxies); default https://api.x.com. Also the default for file accounts. */
  apiUrl,
});

/** The default Facebook Page account (id `facebook`). */
export const defaultFacebookSchema = z.strictObject({
  pageId: secret,
  pageToken: secret,
  appSecret: secret,
  /** Graph API address with its version; default https://graph.facebook.com/v24.0. Also the default for file accounts. */
  apiUrl,
});

export const socialConfigFields = {
  twitter: defaultTwitterSchema.optional(),
  facebook: defaultFacebookSchema.optional(),
  /** YAML or JSON file mapping account ids to their credentials (kept out of the main configuration). */
  secretsFile: z.string().min(1).optional(),
  /** How long one request to a platform may take. */
  timeoutMs: z.coerce
    .number()
    .int('must be a whole number')
    .min(1_000, 'must be 1000-120000')
    .max(120_000, 'must be 1000-120000')
    .default(15_000),
};

/** Environment variable -> configuration path, for the default accounts. */
export const SOCIAL_ENV_VARS = {
  TWITTER_APP_KEY: 'channels.twitter.appKey',
  TWITTER_APP_SECRET: 'channels.twitter.appSecret',
  TWITTER_ACCESS_TOKEN: 'channels.twitter.accessToken',
  TWITTER_ACCESS_SECRET: 'channels.twitter.accessSecret',
  TWITTER_OAUTH2_CLIENT_ID: 'channels.twitter.clientId',
  TWITTER_OAUTH2_CLIENT_SECRET: 'channels.twitter.clientSecret',
  TWITTER_OAUTH2_REFRESH_TOKEN: 'channels.twitter.refreshToken',
  TWITTER_API_URL: 'channels.twitter.apiUrl',
  FACEBOOK_PAGE_ID: 'channels.facebook.pageId',
  FACEBOOK_PAGE_TOKEN: 'channels.facebook.pageToken',
  FACEBOOK_APP_SECRET: 'channels.facebook.appSecret',
  FACEBOOK_GRAPH_URL: 'channels.facebook.apiUrl',
  HERALD_SECRETS_FILE: 'channels.secretsFile',
  HERALD_CHANNEL_TIMEOUT_MS: 'channels.timeoutMs',
} as const;

/** The environment variable that sets a default account's credential key, e.g. twitter.appKey -> TWITTER_APP_KEY. */
export function envNameFor(platform: 'twitter' | 'facebook', key: string): string | undefined {
  const path = `channels.${platform}.${key}`;
  return Object.entries(SOCIAL_ENV_VARS).find(([, p]) => p === path)?.[0];
}
