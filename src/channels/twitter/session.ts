import { twitterApi } from './library.js';
import type { TwitterApi } from 'twitter-api-v2';
import type { TwitterCredentials } from './credentials.js';
import { twitterSecretValues } from './credentials.js';
import { OAuth2Session } from './auth.js';
import type { TokenStore } from './auth.js';
import { bearerClient, oauth1Client, refreshOAuth2 } from './client.js';
import type { TwitterConnection } from './client.js';
import { classifyRefreshError } from './errors.js';

export interface TwitterUser {
  id: string;
  username: string;
}

/** One account's clients and cached identity; OAuth 2 tokens kept valid through an OAuth2Session. */
export class TwitterAccountSession {
  private user: TwitterUser | null = null;
  private readonly knownUsername: string | null;
  private readonly oauth1: TwitterApi | null = null;
  private readonly oauth2: OAuth2Session | null = null;
  private bearer: { token: string; client: TwitterApi } | null = null;

  constructor(
    accountId: string,
    private readonly credentials: TwitterCredentials,
    private readonly connection: TwitterConnection,
    tokenStore: TokenStore,
    now: () => Date,
    username?: string,
  ) {
    this.knownUsername = username ?? null;
    if (credentials.kind === 'oauth1') {
      const { appKey, appSecret, accessToken, accessSecret } = credentials;
      this.oauth1 = oauth1Client({ appKey, appSecret, accessToken, accessSecret }, connection);
    } else {
      const refresh = (refreshToken: string) =>
        refreshOAuth2(credentials, refreshToken, connection, now).catch((error: unknown) => {
          throw classifyRefreshError(error, now());
        });
      this.oauth2 = new OAuth2Session(accountId, credentials, tokenStore, refresh, now);
    }
  }

  /** Every secret this session may have used, for redaction. */
  secrets(): string[] {
    return [...twitterSecretValues(this.credentials), ...(this.oauth2?.secrets() ?? [])];
  }

  /** Runs `fn` with an authenticated client; with OAuth 2, a 401 renews the token once and retries. */
  async call<T>(fn: (client: TwitterApi) => Promise<T>): Promise<T> {
    if (this.oauth1) return fn(this.oauth1);
    const oauth2 = this.oauth2!;
    const token = await oauth2.accessToken();
    try {
      return await fn(this.bearerClient(token));
    } catch (error) {
      // A 401 means the request was refused, so repeating it cannot post twice.
      if (!(error instanceof twitterApi().ApiResponseError && error.code === 401)) throw error;
      const renewed = await oauth2.refresh(token);
      return fn(this.bearerClient(renewed.accessToken));
    }
  }

  /** The account's id and @username (asked once, then cached). */
  async me(fresh = false): Promise<TwitterUser> {
    if (this.user && !fresh) return this.user;
    const result = await this.call((client) => client.v2.me());
    this.user = { id: result.data.id, username: result.data.username };
    return this.user;
  }

  /** The @username for links, without a request when configured; null when it cannot be had. */
  async username(): Promise<string | null> {
    if (this.knownUsername) return this.knownUsername;
    try {
      return (await this.me()).username;
    } catch {
      return null;
    }
  }

  private bearerClient(token: string): TwitterApi {
    if (this.bearer?.token !== token) this.bearer = { token, client: bearerClient(token, this.connection) };
    return this.bearer.client;
  }
}
