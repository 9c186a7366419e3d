import { ClaimLostError } from '../../../src/domain/errors.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../../src/channels/adapter.js';
import type { TwitterOAuth2Credentials } from '../../../src/channels/twitter/credentials.js';
import { memoryTokenStore } from '../../../src/channels/twitter/auth.js';
import { TwitterChannel } from '../../../src/channels/twitter/adapter.js';
import type { TwitterChannelOptions } from '../../../src/channels/twitter/adapter.js';
import type { NewsItem } from '../../../src/domain/item.js';
import { DEFAULT_TWITTER_ACCOUNT, startFakeTwitter } from '../../fakes/twitter.js';
import type { FakeTwitter, TwitterFailure } from '../../fakes/twitter.js';
import { testAccount, testContext, testDelivery, testItem } from '../../helpers/channel-fixtures.js';

let fake: FakeTwitter;
beforeAll(async () => {
  fake = await startFakeTwitter();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const account = testAccount('twitter');
const oauth1 = {
  kind: 'oauth1',
  appKey: 'fake-app-key-0001',
  appSecret: 'fake-app-secret-0001',
  accessToken: DEFAULT_TWITTER_ACCOUNT.accessToken,
  accessSecret: 'fake-access-secret-0001',
} as const;

function twitter(options: Partial<TwitterChannelOptions> = {}): TwitterChannel {
  return new TwitterChannel({
    apiUrl: fake.url,
    timeoutMs: 2_000,
    accounts: () => ({ credentials: oauth1 }),
    imageFetch: { allowPrivate: true }, // the fake serves its images on 127.0.0.1
    ...options,
  });
}

function contextFor(
  channel: TwitterChannel,
  item: NewsItem = testItem(),
  delivery = testDelivery({ target: account.id }),
) {
  return testContext(channel.compose(item, account), item, account, delivery);
}

async function failureOf(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

const LONG =
  'Residents packed the hall for four hours. Supporters said the lanes would make streets safer for children and older people. '
    .repeat(4)
    .trim();

describe('publishing tweets', () => {
  it('posts the composed tweet and returns its id and public URL', async () => {
    const { ctx, saved } = contextFor(twitter());
    const result = await twitter().publish(ctx);
    expect(fake.posts).toHaveLength(1);
    expect(fake.posts[0]!.text).toBe(ctx.post.text);
    expect(result).toEqual({
      remoteId: fake.posts[0]!.id,
      remoteUrl: `https://x.com/herald_test/status/${fake.posts[0]!.id}`,
      details: { tweetIds: [fake.posts[0]!.id] },
    });
    // When it first went to send (look-ups read nothing older), then the tweet and what X charged for it.
    expect(saved).toEqual([
      { sendingSince: expect.any(String) },
      { tweetIds: [fake.posts[0]!.id], xUsage: { posts: 0, postsWithUrl: 1, postsRead: 0 } },
    ]);
  });

  it('uploads the image in chunks with its alt text and attaches it', async () => {
    const { ctx } = contextFor(
      twitter(),
      testItem({ imageUrl: fake.imageUrl, imageAlt: 'A green bike lane' }),
    );
    await twitter().publish(ctx);
    const [media] = [...fake.media.values()];
    expect(media).toMatchObject({ type: 'image/png', alt: 'A green bike lane', finalized: true });
    expect(media!.bytes.length).toBe(media!.totalBytes);
    expect(fake.posts[0]!.mediaIds).toEqual([media!.id]);
    expect(fake.requests).toContain(`POST /2/media/upload/${media!.id}/append`);
  });

  it('checks the claim after the upload, right before the tweet, and passes a lost claim on', async () => {
    const { ctx } = contextFor(twitter(), testItem({ imageUrl: fake.imageUrl, imageAlt: 'A bike lane' }));
    ctx.beforeSend = () => Promise.reject(new ClaimLostError(ctx.delivery.id));
    await expect(twitter().publish(ctx)).rejects.toBeInstanceOf(ClaimLostError);
    expect([...fake.media.values()]).toMatchObject([{ finalized: true, alt: 'A bike lane' }]);
    expect(fake.posts).toEqual([]);
  });

  it('fails in plain words when the image cannot be downloaded', async () => {
    const { ctx } = contextFor(twitter(), testItem({ imageUrl: fake.missingImageUrl, imageAlt: 'x' }));
    const error = await failureOf(twitter().publish(ctx));
    expect(error).toMatchObject({
      kind: 'permanent',
      message: "Could not download the item's image (HTTP 404): check the image URL.",
    });
    expect(fake.posts).toHaveLength(0);
  });

  it('refuses a tweet over 280 characters before sending it', async () => {
    const item = testItem({ channelTexts: { twitter: 'word '.repeat(70).trim() } });
    const error = await failureOf(twitter().publish(contextFor(twitter(), item).ctx));
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe(
      'The tweet is 349 characters as Twitter counts them (limit 280): shorten the Twitter text or post it as a thread.',
    );
    expect(fake.requests).toEqual([]);
  });
});

describe('threads', () => {
  const threadItem = testItem({ summary: `${LONG} ${LONG}`.slice(0, 1500), thread: true });

  it('posts each part as a reply to the previous one', async () => {
    const channel = twitter();
    const { ctx } = contextFor(channel, threadItem);
    const result = await channel.publish(ctx);
    expect(ctx.post.parts.length).toBeGreaterThanOrEqual(3);
    expect(fake.posts.map((p) => p.text)).toEqual(ctx.post.parts);
    expect(fake.posts.slice(1).map((p) => p.replyTo)).toEqual(fake.posts.slice(0, -1).map((p) => p.id));
    expect(result.details).toEqual({ tweetIds: fake.posts.map((p) => p.id) });
  });

  it('checks the claim before each part: a lost claim stops the thread where it is', async () => {
    const channel = twitter();
    const { ctx } = contextFor(channel, threadItem);
    let checks = 0;
    ctx.beforeSend = async () => {
      if (++checks === 2) throw new ClaimLostError(ctx.delivery.id);
    };
    await expect(channel.publish(ctx)).rejects.toBeInstanceOf(ClaimLostError);
    expect(fake.posts.map((p) => p.text)).toEqual([ctx.post.parts[0]]);
  });

  it('resumes at tweet 3 after a 429 on tweet 3, posting no tweet twice', async () => {
    const channel = twitter();
    const resetAt = Math.floor(Date.now() / 1000) + 120;
    fake.inject({ kind: 'rate_limited', resetAt }, { route: 'POST /2/tweets', nth: 3 });
    const { ctx, saved } = contextFor(channel, threadItem);

    const error = await failureOf(channel.publish(ctx));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAt?.getTime()).toBe(resetAt * 1000);
    expect(fake.posts).toHaveLength(2);
    expect(saved.at(-1)).toMatchObject({ tweetIds: fake.posts.map((p) => p.id) });

    const result = await channel.publish(ctx); // the retry: same delivery, progress as saved
    expect(fake.posts.map((p) => p.text)).toEqual(ctx.post.parts);
    expect(fake.posts[2]!.replyTo).toBe(fake.posts[1]!.id);
    expect(new Set(fake.posts.map((p) => p.text)).size).toBe(fake.posts.length);
    expect(result.details).toEqual({ tweetIds: fake.posts.map((p) => p.id) });
  });

  it('adopts a tweet it already posted when a crash lost the progress (Twitter says duplicate)', async () => {
    const channel = twitter();
    const delivery = testDelivery({ target: account.id });
    const first = contextFor(channel, threadItem, delivery);
    fake.inject({ kind: 'drop_after_accept' }, { route: 'POST /2/tweets', nth: 2 });
    await failureOf(channel.publish(first.ctx));
    expect(fake.posts).toHaveLength(2);
    expect(delivery.progress).toMatchObject({ tweetIds: [fake.posts[0]!.id] });

    const result = await channel.publish(first.ctx);
    expect(fake.posts.filter((p) => !p.deleted).map((p) => p.text)).toEqual(first.ctx.post.parts);
    expect(result.details).toEqual({ tweetIds: fake.posts.map((p) => p.id) });
  });

  it('deletes every tweet of a thread, last first, and tolerates tweets already gone', async () => {
    const channel = twitter();
    const { ctx } = contextFor(channel, threadItem);
    const previous = await channel.publish(ctx);
    fake.posts[1]!.deleted = true;
    await channel.remove({ ...ctx, previous });
    expect(fake.posts.every((p) => p.deleted)).toBe(true);
    const deletes = fake.requests.filter((r) => r.startsWith('DELETE'));
    expect(deletes).toEqual([...fake.posts].reverse().map((p) => `DELETE /2/tweets/${p.id}`));
  });
});

describe('failure classes', () => {
  const reset = () => Math.floor(Date.now() / 1000) + 600;
  const rows: Array<{ failure: TwitterFailure; kind: ChannelError['kind']; message: RegExp }> = [
    {
      failure: { kind: 'rate_limited', resetAt: reset() },
      kind: 'rate_limited',
      message: /^Twitter rate limit: will post at \d\d:\d\d UTC/,
    },
    {
      failure: { kind: 'rate_limited', resetAt: reset(), daily: true },
      kind: 'rate_limited',
      message: /^Twitter rate limit: will post at/,
    },
    {
      failure: { kind: 'server_error', status: 503 },
      kind: 'transient',
      message: /^Twitter is having trouble \(HTTP 503\): will try again\.$/,
    },
    { failure: { kind: 'drop' }, kind: 'transient', message: /Twitter/ },
    { failure: { kind: 'drop_after_accept' }, kind: 'transient', message: /may or may not have gone out/ },
    {
      failure: { kind: 'slow', delayMs: 1_500 },
      kind: 'transient',
      message: /^Twitter did not answer in time/,
    },
    {
      failure: { kind: 'unauthorized' },
      kind: 'auth',
      message: /token expired or was revoked\): reconnect the account\.$/,
    },
    {
      failure: { kind: 'duplicate' },
      kind: 'permanent',
      message: /^Twitter rejected the post as a duplicate of an earlier one\.$/,
    },
    { failure: { kind: 'too_long' }, kind: 'permanent', message: /^Twitter rejected the post as too long/ },
    {
      failure: { kind: 'forbidden' },
      kind: 'auth',
      message: /^Twitter does not let Herald post for this account/,
    },
  ];

  it.each(rows)('$failure.kind -> $kind', async ({ failure, kind, message }) => {
    const channel = twitter({ timeoutMs: 500 });
    fake.inject(failure, { route: 'POST /2/tweets' });
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    if (failure.kind === 'rate_limited') expect(error.retryAt?.getTime()).toBe(failure.resetAt! * 1000);
  });

  it('a duplicate of a tweet from before this delivery is a failure, not adopted', async () => {
    const channel = twitter();
    const { ctx } = contextFor(channel);
    fake.seed({ text: ctx.post.text, createdAt: new Date(Date.now() - 3_600_000).toISOString() });
    const error = await failureOf(channel.publish(ctx));
    expect(error).toMatchObject({ kind: 'permanent', platformCode: 187 });
  });
});

describe('finding a post after an unknown outcome', () => {
  it('finds the tweet the fake accepted before the connection dropped', async () => {
    const channel = twitter();
    fake.inject({ kind: 'drop_after_accept' }, { route: 'POST /2/tweets' });
    const { ctx } = contextFor(channel);
    await failureOf(channel.publish(ctx));
    const found = await channel.findExisting(
      contextFor(channel, ctx.item, testDelivery({ createdAt: ctx.delivery.createdAt })).ctx,
    );
    expect(found).toEqual({
      remoteId: fake.posts[0]!.id,
      remoteUrl: `https://x.com/herald_test/status/${fake.posts[0]!.id}`,
      details: { tweetIds: [fake.posts[0]!.id] },
    });
  });

  it('finds a tweet with an image by its link (Twitter appends a media link to the text)', async () => {
    const channel = twitter();
    const item = testItem({ imageUrl: fake.imageUrl, imageAlt: 'Bike' });
    await channel.publish(contextFor(channel, item).ctx);
    const found = await channel.findExisting(contextFor(channel, item).ctx);
    expect(found?.remoteId).toBe(fake.posts[0]!.id);
  });

  it('looks through every timeline page since the delivery was created (450 tweets after ours)', async () => {
    const channel = twitter();
    const { ctx } = contextFor(channel);
    const ours = fake.seed({ text: ctx.post.text });
    for (let i = 0; i < 450; i++) fake.seed({ text: `other tweet ${i}` });
    expect((await channel.findExisting(ctx))?.remoteId).toBe(ours.id);
  });

  it('returns null when the tweet is not there, ignoring older tweets with the same link', async () => {
    const channel = twitter();
    const { ctx } = contextFor(channel);
    fake.seed({ text: ctx.post.text, createdAt: new Date(Date.now() - 3_600_000).toISOString() });
    expect(await channel.findExisting(ctx)).toBeNull();
  });

  it('records the found start of a thread so that publish continues it', async () => {
    const channel = twitter();
    const item = testItem({ summary: `${LONG} ${LONG}`.slice(0, 1500), thread: true });
    const delivery = testDelivery({ target: account.id });
    fake.inject({ kind: 'drop_after_accept' }, { route: 'POST /2/tweets', nth: 2 });
    const first = contextFor(channel, item, delivery);
    await failureOf(channel.publish(first.ctx));
    delivery.progress = {}; // the crash lost all progress

    const { ctx, saved } = contextFor(channel, item, delivery);
    expect(await channel.findExisting(ctx)).toBeNull();
    expect(saved).toEqual([
      { xUsage: { posts: 0, postsWithUrl: 0, postsRead: fake.posts.length } },
      { tweetIds: fake.posts.map((p) => p.id) },
    ]);
    await channel.publish(ctx);
    expect(fake.posts.map((p) => p.text)).toEqual(ctx.post.parts);
  });
});

describe('account check', () => {
  it('is ok with working credentials, and says what to do when they are revoked', async () => {
    const channel = twitter();
    expect(await channel.check(account)).toEqual({ ok: true, reason: null });
    fake.revoke();
    expect(await channel.check(account)).toEqual({
      ok: false,
      reason:
        "Twitter no longer accepts Herald's access to this account (the token expired or was revoked): reconnect the account.",
    });
  });

  it('reports an account without credentials', async () => {
    const channel = twitter({ accounts: () => undefined });
    expect(await channel.check(account)).toEqual({
      ok: false,
      reason: 'No Twitter credentials are configured for the account "twitter-main".',
    });
  });

  it('throws, rather than blaming the token, when Twitter cannot be reached', async () => {
    const channel = twitter({ apiUrl: 'http://127.0.0.1:9' });
    await expect(channel.check(account)).rejects.toMatchObject({ kind: 'transient' });
  });
});

describe('OAuth 2 user tokens', () => {
  const oauth2 = (overrides: Partial<TwitterOAuth2Credentials> = {}): TwitterOAuth2Credentials => ({
    kind: 'oauth2',
    clientId: 'fake-client-id',
    clientSecret: 'fake-client-secret-0001',
    refreshToken: DEFAULT_TWITTER_ACCOUNT.refreshToken,
    accessToken: DEFAULT_TWITTER_ACCOUNT.accessToken,
    expiresAt: new Date(Date.now() - 1000).toISOString(),
    ...overrides,
  });

  it('refreshes an expired access token once for concurrent calls and stores the new refresh token at once', async () => {
    const store = memoryTokenStore();
    const channel = twitter({ tokenStore: store, accounts: () => ({ credentials: oauth2() }) });
    const items = [1, 2, 3].map((n) => testItem({ title: `Item number ${n}` }));
    await Promise.all(items.map((item) => channel.publish(contextFor(channel, item).ctx)));
    expect(fake.refreshes).toBe(1);
    expect(fake.posts).toHaveLength(3);
    const stored = store.tokens.get(account.id)!;
    expect(stored.refreshToken).toBe(fake.refreshTokenOf(DEFAULT_TWITTER_ACCOUNT.id));
    expect(stored.refreshToken).not.toBe(DEFAULT_TWITTER_ACCOUNT.refreshToken);
    expect(Date.parse(stored.expiresAt!)).toBeGreaterThan(Date.now() + 7_000_000);
  });

  it('renews once when Twitter answers 401 to a token it thought valid, then posts', async () => {
    const store = memoryTokenStore();
    const channel = twitter({
      tokenStore: store,
      accounts: () => ({
        credentials: oauth2({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
      }),
    });
    fake.expireAccessTokens();
    await Promise.all([channel.publish(contextFor(channel).ctx), channel.check(account)]);
    expect(fake.refreshes).toBe(1);
    expect(fake.posts).toHaveLength(1);
  });

  it('uses tokens another process already rotated into the store instead of the spent ones', async () => {
    const store = memoryTokenStore();
    await twitter({ tokenStore: store, accounts: () => ({ credentials: oauth2() }) }).check(account);
    const other = twitter({ tokenStore: store, accounts: () => ({ credentials: oauth2() }) });
    expect(await other.check(account)).toEqual({ ok: true, reason: null });
    expect(fake.refreshes).toBe(1);
  });

  it('asks for a reconnection when the refresh token was revoked', async () => {
    fake.revoke();
    const channel = twitter({ accounts: () => ({ credentials: oauth2() }) });
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error).toMatchObject({
      kind: 'auth',
      message:
        "Twitter refused to renew Herald's access to this account (the refresh token was revoked or already used): reconnect the account.",
    });
  });
});
