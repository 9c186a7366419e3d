import { describe, expect, it } from 'vitest';
import { tiedToConfiguredToken } from '../../../src/channels/twitter/token-origin.js';
import { memoryTokenStore } from '../../../src/channels/twitter/auth.js';
import { gateWaitMessage, gaveUpMessage, retryingMessage } from '../../../src/domain/delivery-words.js';

describe('stored OAuth 2 tokens are tied to the configured refresh token', () => {
  const tokens = { accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: null };

  it('are used while the configuration keeps the refresh token they descend from', async () => {
    const memory = memoryTokenStore();
    await tiedToConfiguredToken(memory, 'refresh-1').save('tw', tokens);
    expect(await tiedToConfiguredToken(memory, 'refresh-1').load('tw')).toEqual(tokens);
    // The mark is a hash, not the token.
    expect(JSON.stringify(memory.tokens.get('tw'))).not.toContain('refresh-1');
  });

  it('are ignored once the account is reconnected with a new refresh token', async () => {
    const memory = memoryTokenStore();
    await tiedToConfiguredToken(memory, 'refresh-1').save('tw', tokens);
    expect(await tiedToConfiguredToken(memory, 'refresh-from-reconnect').load('tw')).toBeNull();
  });

  it('keeps the store lock', async () => {
    const calls: string[] = [];
    const store = {
      ...memoryTokenStore(),
      withLock: async <T>(id: string, fn: () => Promise<T>) => (calls.push(id), fn()),
    };
    const tied = tiedToConfiguredToken(store, 'r');
    expect(await tied.withLock!('tw', async () => 7)).toBe(7);
    expect(calls).toEqual(['tw']);
  });
});

describe('failure messages in plain words', () => {
  it('a retried problem says which attempt it was', () => {
    expect(retryingMessage('Twitter is having trouble (HTTP 503): will try again.', 2, 8)).toBe(
      'Twitter is having trouble (HTTP 503): will try again (attempt 2 of 8).',
    );
  });

  it('giving up drops the promise to retry', () => {
    expect(
      gaveUpMessage(
        8,
        'Facebook did not answer in time (the post may or may not have gone out): will check and try again.',
      ),
    ).toBe(
      'Gave up after 8 attempts. Last problem: Facebook did not answer in time (the post may or may not have gone out). Retry the delivery when the platform works again.',
    );
    expect(gaveUpMessage(3, 'Could not reach Twitter (ECONNREFUSED): will try again.')).toBe(
      'Gave up after 3 attempts. Last problem: Could not reach Twitter (ECONNREFUSED). Retry the delivery when the platform works again.',
    );
  });

  it('a job behind a closed rate gate says until when', () => {
    const now = new Date('2026-12-03T13:50:00Z');
    expect(gateWaitMessage(new Date('2026-12-03T14:05:30Z'), now)).toBe(
      "Waiting for this account's rate limit to reset (another post hit it): will try at 14:05 UTC.",
    );
    expect(gateWaitMessage(new Date('2026-12-04T00:10:00Z'), now)).toBe(
      "Waiting for this account's rate limit to reset (another post hit it): will try at 00:10 UTC on 4 December.",
    );
  });
});
