import { z } from 'zod';
import { isHttpUrl } from '../domain/item.js';

// `connect`: the OAuth applications Herald uses when an admin connects an account from the Channels page.
// Each platform's client id and secret come from the platform's developer site (see docs/social.md).

const secret = z.string().trim().min(1, 'must not be empty').optional();
const url = z.string().refine(isHttpUrl, 'must be an absolute http(s) URL');

export const connectConfigSchema = z.strictObject({
  twitter: z
    .strictObject({
      clientId: secret,
      clientSecret: secret,
      /** Where the person approves Herald (tests: a fake). */
      authorizeUrl: url.default('https://x.com/i/oauth2/authorize'),
      /** The token and revocation endpoints' host. */
      apiUrl: url.default('https://api.x.com'),
    })
    .prefault({}),
  mastodon: z
    .strictObject({
      /** The name Herald registers under on each instance (shown to the person approving). */
      appName: z.string().trim().min(1).default('Herald'),
    })
    .prefault({}),
  /** How long a started connection may take before its `state` is refused. */
  stateMinutes: z.coerce.number().int().min(1).max(60).default(10),
});

/** Environment variable -> path under `connect`. */
export const CONNECT_ENV_VARS = {
  HERALD_CONNECT_TWITTER_CLIENT_ID: 'connect.twitter.clientId',
  HERALD_CONNECT_TWITTER_CLIENT_SECRET: 'connect.twitter.clientSecret',
} as const;
