import { createHash } from 'node:crypto';
import type { OAuth2Tokens, TokenStore } from './auth.js';

type Stored = OAuth2Tokens & { origin?: string };

/**
 * Ties stored (rotated) OAuth 2 tokens to the refresh token in the configuration they descend from. When a person
 * reconnects the account (a new refresh token in the configuration), the stored tokens, spent or revoked, are
 * ignored instead of being tried forever. The mark is a truncated hash, kept inside the encrypted blob.
 */
export function tiedToConfiguredToken(store: TokenStore, configuredRefreshToken: string): TokenStore {
  const origin = createHash('sha256').update(configuredRefreshToken).digest('base64url').slice(0, 22);
  const tied: TokenStore = {
    async load(accountId) {
      const stored = (await store.load(accountId)) as Stored | null;
      if (!stored || stored.origin !== origin) return null;
      const { origin: _origin, ...tokens } = stored;
      return tokens;
    },
    save: (accountId, tokens) => store.save(accountId, { ...tokens, origin } as Stored),
  };
  if (store.withLock) tied.withLock = store.withLock.bind(store);
  return tied;
}
