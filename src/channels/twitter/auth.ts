import type { TwitterOAuth2Credentials } from './credentials.js';

/** OAuth 2 user tokens of one account. Twitter rotates the refresh token at every refresh. */
export interface OAuth2Tokens {
  accessToken: string;
  refreshToken: string;
  /** ISO-8601; null when unknown (the token is then used until Twitter answers 401). */
  expiresAt: string | null;
}

/**
 * Where rotated OAuth 2 tokens are kept (encrypted at rest: see secrets.ts). `save` must be durable when it
 * resolves: after a refresh the previous refresh token no longer works.
 */
export interface TokenStore {
  load(accountId: string): Promise<OAuth2Tokens | null>;
  save(accountId: string, tokens: OAuth2Tokens): Promise<void>;
  /** Optional lock across processes around a refresh (calls within one process are already single-flight). */
  withLock?<T>(accountId: string, fn: () => Promise<T>): Promise<T>;
}

/** A TokenStore in memory (tests, dry runs). */
export function memoryTokenStore(
  initial: Record<string, OAuth2Tokens> = {},
): TokenStore & { tokens: Map<string, OAuth2Tokens> } {
  const tokens = new Map(Object.entries(initial));
  return {
    tokens,
    load: async (accountId) => tokens.get(accountId) ?? null,
    save: async (accountId, value) => void tokens.set(accountId, { ...value }),
  };
}

export type RefreshTokens = (refreshToken: string) => Promise<OAuth2Tokens>;

/** Renew this long before the stated expiry, so a request does not start with a token about to die. */
const EXPIRY_MARGIN_MS = 60_000;

/** Keeps one account's OAuth 2 access token valid; refreshes at most once at a time. */
export class OAuth2Session {
  private tokens: OAuth2Tokens | null = null;
  private refreshing: Promise<OAuth2Tokens> | null = null;

  constructor(
    private readonly accountId: string,
    private readonly credentials: TwitterOAuth2Credentials,
    private readonly store: TokenStore,
    private readonly refreshTokens: RefreshTokens,
    private readonly now: () => Date,
  ) {}

  /** A usable access token, refreshed first when expired or about to expire. */
  async accessToken(): Promise<string> {
    const tokens = await this.current();
    if (!this.isExpired(tokens)) return tokens.accessToken;
    return (await this.refresh(tokens.accessToken)).accessToken;
  }

  /**
   * Replaces `staleAccessToken`. Concurrent callers share one refresh, and a caller whose token was already
   * replaced gets the new tokens without another refresh.
   */
  refresh(staleAccessToken: string): Promise<OAuth2Tokens> {
    if (this.refreshing) return this.refreshing;
    if (this.tokens && this.tokens.accessToken !== staleAccessToken && !this.isExpired(this.tokens)) {
      return Promise.resolve(this.tokens);
    }
    this.refreshing = this.refreshNow().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Secrets currently in use, for redaction. */
  secrets(): string[] {
    return this.tokens ? [this.tokens.accessToken, this.tokens.refreshToken] : [];
  }

  private async refreshNow(): Promise<OAuth2Tokens> {
    const run = async (): Promise<OAuth2Tokens> => {
      const known = await this.current();
      // Another process may have refreshed meanwhile: its tokens are in the store and ours are spent.
      const stored = await this.store.load(this.accountId);
      if (stored && stored.refreshToken !== known.refreshToken && !this.isExpired(stored))
        return (this.tokens = stored);
      const fresh = await this.refreshTokens(stored?.refreshToken ?? known.refreshToken);
      await this.store.save(this.accountId, fresh);
      return (this.tokens = fresh);
    };
    return this.store.withLock ? this.store.withLock(this.accountId, run) : run();
  }

  private async current(): Promise<OAuth2Tokens> {
    if (this.tokens) return this.tokens;
    const stored = await this.store.load(this.accountId);
    const fromConfig: OAuth2Tokens = {
      accessToken: this.credentials.accessToken ?? '',
      refreshToken: this.credentials.refreshToken,
      expiresAt: this.credentials.expiresAt ?? null,
    };
    // A refresh may have finished while we were loading: keep its result.
    this.tokens ??= stored ?? fromConfig;
    return this.tokens;
  }

  private isExpired(tokens: OAuth2Tokens): boolean {
    if (!tokens.accessToken) return true;
    if (tokens.expiresAt === null) return false;
    return Date.parse(tokens.expiresAt) - EXPIRY_MARGIN_MS <= this.now().getTime();
  }
}
