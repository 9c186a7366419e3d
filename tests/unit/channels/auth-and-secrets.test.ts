import { describe, expect, it } from 'vitest';
import {
  decryptSecret,
  encryptSecret,
  encryptedTokenStore,
  secretKeyFrom,
} from '../../../src/channels/secrets.js';
import { OAuth2Session, memoryTokenStore } from '../../../src/channels/twitter/auth.js';
import type { OAuth2Tokens } from '../../../src/channels/twitter/auth.js';

const credentials = {
  kind: 'oauth2',
  clientId: 'id',
  refreshToken: 'refresh-0',
  accessToken: 'access-0',
  expiresAt: '2026-11-27T10:00:00.000Z',
} as const;
const now = () => new Date('2026-11-27T12:00:00Z');

function refresher() {
  const calls: string[] = [];
  let n = 0;
  const refresh = async (refreshToken: string): Promise<OAuth2Tokens> => {
    calls.push(refreshToken);
    await new Promise((r) => setTimeout(r, 10));
    n++;
    return {
      accessToken: `access-${n}`,
      refreshToken: `refresh-${n}`,
      expiresAt: '2026-11-27T14:00:00.000Z',
    };
  };
  return { calls, refresh };
}

describe('OAuth2Session', () => {
  it('refreshes an expired token once for many concurrent callers and saves the rotated refresh token', async () => {
    const store = memoryTokenStore();
    const { calls, refresh } = refresher();
    const session = new OAuth2Session('acct', credentials, store, refresh, now);
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => session.accessToken()));
    expect(tokens).toEqual(['access-1', 'access-1', 'access-1', 'access-1', 'access-1']);
    expect(calls).toEqual(['refresh-0']);
    expect(store.tokens.get('acct')).toEqual({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      expiresAt: '2026-11-27T14:00:00.000Z',
    });
  });

  it('does not refresh again for a caller whose rejected token was already replaced', async () => {
    const { calls, refresh } = refresher();
    const session = new OAuth2Session('acct', credentials, memoryTokenStore(), refresh, now);
    await session.refresh('access-0');
    expect((await session.refresh('access-0')).accessToken).toBe('access-1');
    expect(calls).toHaveLength(1);
  });

  it('prefers the stored (rotated) tokens over the configured ones', async () => {
    const store = memoryTokenStore({
      acct: { accessToken: 'stored', refreshToken: 'stored-refresh', expiresAt: '2026-11-27T13:00:00.000Z' },
    });
    const { calls, refresh } = refresher();
    expect(await new OAuth2Session('acct', credentials, store, refresh, now).accessToken()).toBe('stored');
    expect(calls).toEqual([]);
  });

  it('runs the refresh inside the store lock when there is one', async () => {
    const locked: string[] = [];
    const store = {
      ...memoryTokenStore(),
      withLock: async <T>(id: string, fn: () => Promise<T>) => (locked.push(id), fn()),
    };
    await new OAuth2Session('acct', credentials, store, refresher().refresh, now).accessToken();
    expect(locked).toEqual(['acct']);
  });
});

describe('secrets at rest', () => {
  const key = secretKeyFrom('a long enough passphrase');

  it('round-trips, and fails plainly with another key or damaged data', () => {
    const blob = encryptSecret('refresh-token-value', key);
    expect(blob).not.toContain('refresh-token-value');
    expect(decryptSecret(blob, key)).toBe('refresh-token-value');
    expect(() => decryptSecret(blob, secretKeyFrom('another long passphrase'))).toThrow(
      /wrong HERALD_SECRET_KEY/,
    );
    expect(() => decryptSecret(`${blob.slice(0, -2)}xx`, key)).toThrow(/cannot be decrypted/);
  });

  it('keeps OAuth tokens encrypted in the blob store', async () => {
    const blobs = new Map<string, string>();
    const store = encryptedTokenStore(
      { load: async (id) => blobs.get(id) ?? null, save: async (id, b) => void blobs.set(id, b) },
      key,
    );
    const tokens = { accessToken: 'a-token', refreshToken: 'r-token', expiresAt: null };
    await store.save('acct', tokens);
    expect(blobs.get('acct')).not.toContain('r-token');
    expect(await store.load('acct')).toEqual(tokens);
  });
});
