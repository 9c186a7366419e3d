import type { PlatformId } from '../../domain/platform.js';
import { apiAddress, jsonBodyOf } from '../http-json.js';
import { DEFAULT_TWITTER_API_URL } from '../twitter/client.js';
import { accountIdFor, getWithToken } from './identity.js';
import { ConnectError, type GrantedTokens, type OAuthServer } from './oauth.js';

/** The scopes Herald asks X for: post, read its own posts (the look-up), upload pictures, refresh. */
export const TWITTER_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'];
export const MASTODON_SCOPES = ['read:accounts', 'write:statuses', 'write:media'];

/** Platforms an admin can connect from the Channels page. */
export const CONNECTABLE_PLATFORMS = ['twitter', 'mastodon'] as const satisfies readonly PlatformId[];
export type ConnectablePlatform = (typeof CONNECTABLE_PLATFORMS)[number];

export const isConnectable = (value: string): value is ConnectablePlatform =>
  (CONNECTABLE_PLATFORMS as readonly string[]).includes(value);

/** What Herald stores for a connected account: its id and name, and the adapter's credential keys. */
export interface ConnectedIdentity {
  id: string;
  name: string;
  apiUrl: string;
  credentials: Record<string, string>;
  tokenExpiresAt: Date | null;
}

/** X (OAuth 2 with PKCE): Herald's app from configuration; endpoints on `apiUrl` (tests: a fake). */
export function twitterServer(settings: {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  authorizeUrl: string;
  apiUrl: string;
  allowHttp: boolean;
}): OAuthServer {
  if (!settings.clientId)
    throw new ConnectError(
      'X is not set up for connecting: give HERALD_CONNECT_TWITTER_CLIENT_ID and HERALD_CONNECT_TWITTER_CLIENT_SECRET (connect.twitter in the configuration), from the X developer portal: your app, "Keys and tokens", OAuth 2.0 Client ID and Client Secret.',
      'connect_not_configured',
    );
  return {
    issuer: new URL(settings.authorizeUrl).origin,
    authorizeUrl: settings.authorizeUrl,
    tokenUrl: apiAddress(settings.apiUrl, '/2/oauth2/token').href,
    revokeUrl: apiAddress(settings.apiUrl, '/2/oauth2/revoke').href,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    clientAuth: 'basic',
    scopes: TWITTER_SCOPES,
    allowHttp: settings.allowHttp,
  };
}

/** Who the X tokens belong to, and the adapter's OAuth 2 credentials (refresh token included). */
export async function twitterIdentity(
  server: OAuthServer,
  tokens: GrantedTokens,
  postingApiUrl: string | undefined,
): Promise<ConnectedIdentity> {
  if (!tokens.refreshToken)
    throw new ConnectError(
      'X gave no refresh token (the offline.access scope was refused). Nothing was stored.',
    );
  const apiUrl = postingApiUrl ?? DEFAULT_TWITTER_API_URL;
  const me = (await getWithToken(apiUrl, '/2/users/me', tokens.accessToken, 'X')).data as
    { username?: string; name?: string } | undefined;
  if (!me?.username) throw new ConnectError('X did not say which account was connected. Nothing was stored.');
  return {
    id: accountIdFor('twitter', me.username),
    name: `@${me.username}`,
    apiUrl,
    tokenExpiresAt: null, // the access token is refreshed on its own; the refresh token has no stated end
    credentials: {
      clientId: server.clientId,
      ...(server.clientSecret ? { clientSecret: server.clientSecret } : {}),
      refreshToken: tokens.refreshToken,
      accessToken: tokens.accessToken,
      ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt.toISOString() } : {}),
    },
  };
}

/** A Mastodon instance's address as the person typed it: https://host (http only when allowed). */
export function instanceUrlFrom(input: string, allowHttp: boolean): string {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new ConnectError(
      'Give the instance as a name such as mastodon.social.',
      'connect_instance_invalid',
    );
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:'))
    throw new ConnectError('The instance must be reached over https.', 'connect_instance_invalid');
  return url.origin;
}

/** The OAuth server of a Mastodon instance, with Herald's registration there. */
export function mastodonServer(
  instanceUrl: string,
  app: { clientId: string; clientSecret: string },
  allowHttp: boolean,
): OAuthServer {
  return {
    issuer: instanceUrl,
    authorizeUrl: `${instanceUrl}/oauth/authorize`,
    tokenUrl: `${instanceUrl}/oauth/token`,
    revokeUrl: `${instanceUrl}/oauth/revoke`,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    clientAuth: 'post',
    scopes: MASTODON_SCOPES,
    allowHttp,
  };
}

/** Registers Herald on the instance (POST /api/v1/apps), once per instance. */
export async function registerMastodonApp(
  instanceUrl: string,
  settings: { appName: string; redirectUri: string; website: string },
): Promise<{ clientId: string; clientSecret: string }> {
  let response: Response;
  try {
    response = await fetch(`${instanceUrl}/api/v1/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        client_name: settings.appName,
        redirect_uris: settings.redirectUri,
        scopes: MASTODON_SCOPES.join(' '),
        website: settings.website,
      }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new ConnectError(`${instanceUrl} could not be reached.`, 'connect_instance_unreachable');
  }
  const body = (await jsonBodyOf(response)) as { client_id?: string; client_secret?: string } | null;
  if (!response.ok || !body?.client_id || !body.client_secret)
    throw new ConnectError(
      `${instanceUrl} refused to register Herald (HTTP ${response.status}): is it a Mastodon instance?`,
      'connect_instance_refused',
    );
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** Who the Mastodon token belongs to, and the adapter's credentials. */
export async function mastodonIdentity(
  instanceUrl: string,
  tokens: GrantedTokens,
): Promise<ConnectedIdentity> {
  const me = await getWithToken(
    instanceUrl,
    '/api/v1/accounts/verify_credentials',
    tokens.accessToken,
    instanceUrl,
  );
  const username = typeof me.username === 'string' ? me.username : null;
  if (!username)
    throw new ConnectError(`${instanceUrl} did not say which account was connected. Nothing was stored.`);
  const host = new URL(instanceUrl).hostname;
  return {
    id: accountIdFor('mastodon', username, host),
    name: `@${username}@${host}`,
    apiUrl: instanceUrl,
    tokenExpiresAt: tokens.expiresAt,
    credentials: { accessToken: tokens.accessToken },
  };
}
