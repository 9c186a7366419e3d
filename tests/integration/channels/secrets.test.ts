import { inspect } from 'node:util';
import { TwitterApi } from 'twitter-api-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/channels/adapter.js';
import { FacebookChannel } from '../../../src/channels/facebook/adapter.js';
import { memoryTokenStore } from '../../../src/channels/twitter/auth.js';
import { clientSettings } from '../../../src/channels/twitter/client.js';
import { TwitterChannel } from '../../../src/channels/twitter/adapter.js';
import { DEFAULT_FACEBOOK_PAGE, startFakeFacebook } from '../../fakes/facebook.js';
import type { FacebookFailure, FakeFacebook } from '../../fakes/facebook.js';
import { DEFAULT_TWITTER_ACCOUNT, startFakeTwitter } from '../../fakes/twitter.js';
import type { FakeTwitter, TwitterFailure } from '../../fakes/twitter.js';
import { testAccount, testContext, testItem } from '../../helpers/channel-fixtures.js';

// Every way an error may be logged, serialised or shown.
function views(error: unknown): string[] {
  const e = error as Error;
  return [
    String(error),
    e.message,
    e.stack ?? '',
    JSON.stringify(error),
    JSON.stringify({ ...e }),
    inspect(error, { depth: 20, showHidden: true }),
  ];
}

function leaked(error: unknown, secrets: string[]): string[] {
  return secrets.filter((secret) => views(error).some((view) => view.includes(secret)));
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a failure'),
    (e: unknown) => e,
  );
}

let twitterFake: FakeTwitter;
let facebookFake: FakeFacebook;
beforeAll(async () => {
  [twitterFake, facebookFake] = await Promise.all([startFakeTwitter(), startFakeFacebook()]);
});
afterAll(() => Promise.all([twitterFake.close(), facebookFake.close()]));
beforeEach(() => {
  twitterFake.reset();
  facebookFake.reset();
});

const oauth1 = {
  kind: 'oauth1',
  appKey: 'secret-app-key-12345',
  appSecret: 'secret-app-secret-12345',
  accessToken: DEFAULT_TWITTER_ACCOUNT.accessToken,
  accessSecret: 'secret-access-secret-12345',
} as const;
const oauth2 = {
  kind: 'oauth2',
  clientId: 'client-id',
  clientSecret: 'secret-client-secret-12345',
  refreshToken: DEFAULT_TWITTER_ACCOUNT.refreshToken,
} as const;

const TWITTER_FAILURES: TwitterFailure[] = [
  { kind: 'rate_limited' },
  { kind: 'server_error' },
  { kind: 'unauthorized' },
  { kind: 'duplicate' },
  { kind: 'too_long' },
  { kind: 'forbidden' },
  { kind: 'slow', delayMs: 800 },
  { kind: 'drop' },
  { kind: 'drop_after_accept' },
];

const FACEBOOK_FAILURES: FacebookFailure[] = [
  { kind: 'rate_limited' },
  { kind: 'transient' },
  { kind: 'server_error' },
  { kind: 'token_expired' },
  { kind: 'token_invalid' },
  { kind: 'permission' },
  { kind: 'blocked' },
  { kind: 'duplicate' },
  { kind: 'invalid_parameter' },
  { kind: 'link_error' },
  { kind: 'slow', delayMs: 800 },
  { kind: 'drop' },
  { kind: 'drop_after_accept' },
];

async function everyOperationFails(
  channel: Channel,
  platform: 'twitter' | 'facebook',
  inject: () => void,
): Promise<unknown[]> {
  const account = testAccount(platform);
  const item = testItem({ title: `A title ${Math.random()}` });
  const ctx = testContext(channel.compose(item, account), item, account).ctx;
  const previous = {
    remoteId: platform === 'twitter' ? '1890000000000000001' : `${DEFAULT_FACEBOOK_PAGE.id}_1`,
    remoteUrl: null,
  };
  const errors: unknown[] = [];
  for (const run of [
    () => channel.publish(ctx),
    () => channel.findExisting(ctx),
    () => channel.remove!({ ...ctx, previous }),
  ]) {
    inject();
    errors.push(await errorOf(run()));
  }
  return errors;
}

describe('no secret in any Twitter error', () => {
  it.each(TWITTER_FAILURES)('OAuth 1.0a, $kind', async (failure) => {
    const channel = new TwitterChannel({
      apiUrl: twitterFake.url,
      timeoutMs: 300,
      accounts: () => ({ credentials: oauth1, username: 'herald_test' }),
    });
    const errors = await everyOperationFails(channel, 'twitter', () =>
      twitterFake.inject(failure, { times: 10 }),
    );
    for (const error of errors)
      expect(
        leaked(error, [oauth1.appKey, oauth1.appSecret, oauth1.accessToken, oauth1.accessSecret]),
      ).toEqual([]);
  });

  it.each(TWITTER_FAILURES)('OAuth 2, $kind', async (failure) => {
    const store = memoryTokenStore();
    const channel = new TwitterChannel({
      apiUrl: twitterFake.url,
      timeoutMs: 300,
      tokenStore: store,
      accounts: () => ({ credentials: oauth2, username: 'herald_test' }),
    });
    await channel.check(testAccount('twitter'));
    const tokens = store.tokens.get('twitter-main')!;
    const errors = await everyOperationFails(channel, 'twitter', () =>
      twitterFake.inject(failure, { times: 10 }),
    );
    for (const error of errors)
      expect(
        leaked(error, [oauth2.clientSecret, oauth2.refreshToken, tokens.accessToken, tokens.refreshToken]),
      ).toEqual([]);
  });

  it('nor when the token refresh itself fails', async () => {
    twitterFake.revoke();
    const channel = new TwitterChannel({
      apiUrl: twitterFake.url,
      accounts: () => ({ credentials: oauth2 }),
    });
    const item = testItem();
    const account = testAccount('twitter');
    const error = await errorOf(
      channel.publish(testContext(channel.compose(item, account), item, account).ctx),
    );
    expect(leaked(error, [oauth2.clientSecret, oauth2.refreshToken])).toEqual([]);
  });

  it("classifies the library's own errors (which do carry the token) without repeating it", async () => {
    const raw = await errorOf(
      new TwitterApi(
        'secret-bearer-token-12345',
        clientSettings({ apiUrl: twitterFake.url, timeoutMs: 1000 }),
      ).v2.me(),
    );
    expect(leaked(raw, ['secret-bearer-token-12345'])).toEqual(['secret-bearer-token-12345']); // why adapters wrap them
    const channel = new TwitterChannel({ accounts: () => undefined });
    expect(channel.classifyError(raw).message).not.toContain('secret-bearer-token-12345');
  });
});

describe('no secret in any Facebook error', () => {
  const credentials = {
    pageId: DEFAULT_FACEBOOK_PAGE.id,
    pageToken: DEFAULT_FACEBOOK_PAGE.token,
    appSecret: 'secret-fb-app-secret-12345',
  };

  it.each(FACEBOOK_FAILURES)('$kind', async (failure) => {
    const channel = new FacebookChannel({
      graphUrl: facebookFake.url,
      timeoutMs: 300,
      accounts: () => ({ credentials }),
    });
    const errors = await everyOperationFails(channel, 'facebook', () =>
      facebookFake.inject(failure, { times: 10 }),
    );
    for (const error of errors)
      expect(leaked(error, [credentials.pageToken, credentials.appSecret])).toEqual([]);
  });

  it('nor in check reasons', async () => {
    facebookFake.invalidateToken();
    const channel = new FacebookChannel({ graphUrl: facebookFake.url, accounts: () => ({ credentials }) });
    const result = await channel.check(testAccount('facebook'));
    expect(result.ok).toBe(false);
    expect(result.reason).not.toContain(credentials.pageToken);
  });
});
