import http from 'node:http';
import type { ITwitterApiClientPlugin, TwitterApi, TwitterApiTokens } from 'twitter-api-v2';
import { twitterApi } from './library.js';
import type { OAuth2Tokens } from './auth.js';

export const DEFAULT_TWITTER_API_URL = 'https://api.x.com';

export interface TwitterConnection {
  /** Where requests go instead of api.x.com (a proxy, or a local fake in tests). */
  apiUrl: string;
  timeoutMs: number;
}

type ClientSettings = NonNullable<ConstructorParameters<typeof TwitterApi>[1]>;

/**
 * twitter-api-v2 has no base-URL option: a plugin rewrites each computed URL (api.x.com, upload.x.com) to
 * `apiUrl`, and an http.Agent lets its `https.request` speak plain HTTP to a local server. The same plugin
 * sets the request timeout, which the library otherwise leaves unset.
 */
export function clientSettings(connection: TwitterConnection): ClientSettings {
  const base = new URL(connection.apiUrl);
  const rewrite = base.origin !== DEFAULT_TWITTER_API_URL || base.pathname !== '/';
  const basePath = base.pathname.replace(/\/$/, '');
  const plugin: ITwitterApiClientPlugin = {
    onBeforeRequestConfig({ params }) {
      // twitter-api-v2 1.29 sends the OAuth 2 token request as JSON (its check reads url.password where it
      // means url.pathname); the token endpoint takes a form-encoded body (RFC 6749, X's documentation).
      if (params.url.endsWith('/2/oauth2/token')) params.forceBodyMode = 'url';
    },
    onBeforeRequest({ computedParams, requestOptions }) {
      requestOptions.timeout = connection.timeoutMs;
      if (!rewrite) return;
      const url = computedParams.url;
      url.protocol = base.protocol;
      url.hostname = base.hostname;
      url.port = base.port;
      url.pathname = basePath + url.pathname;
    },
  };
  const settings: ClientSettings = { plugins: [plugin] };
  if (base.protocol === 'http:') settings.httpAgent = new http.Agent();
  return settings;
}

export function oauth1Client(keys: TwitterApiTokens, connection: TwitterConnection): TwitterApi {
  return new (twitterApi().TwitterApi)(keys, clientSettings(connection));
}

export function bearerClient(accessToken: string, connection: TwitterConnection): TwitterApi {
  return new (twitterApi().TwitterApi)(accessToken, clientSettings(connection));
}

/** Exchanges a refresh token for new tokens (Twitter rotates the refresh token). */
export async function refreshOAuth2(
  client: { clientId: string; clientSecret?: string | undefined },
  refreshToken: string,
  connection: TwitterConnection,
  now: () => Date,
): Promise<OAuth2Tokens> {
  const app = new (twitterApi().TwitterApi)(
    client.clientSecret
      ? { clientId: client.clientId, clientSecret: client.clientSecret }
      : { clientId: client.clientId },
    clientSettings(connection),
  );
  const result = await app.refreshOAuth2Token(refreshToken);
  return {
    accessToken: result.accessToken,
    refreshToken: result.refreshToken ?? refreshToken,
    expiresAt: new Date(now().getTime() + result.expiresIn * 1000).toISOString(),
  };
}
