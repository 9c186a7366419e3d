import { ClaimLostError } from '../../../src/domain/errors.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../../src/channels/adapter.js';
import { FacebookChannel } from '../../../src/channels/facebook/adapter.js';
import type { FacebookChannelOptions } from '../../../src/channels/facebook/adapter.js';
import type { NewsItem } from '../../../src/domain/item.js';
import { DEFAULT_FACEBOOK_PAGE, startFakeFacebook } from '../../fakes/facebook.js';
import type { FacebookFailure, FakeFacebook } from '../../fakes/facebook.js';
import { testAccount, testContext, testDelivery, testItem } from '../../helpers/channel-fixtures.js';

const OTHER_PAGE = { id: '104857600999999', name: 'Another Page', token: 'EAAfakeotherpagetoken02' };

let fake: FakeFacebook;
beforeAll(async () => {
  fake = await startFakeFacebook({ pages: [DEFAULT_FACEBOOK_PAGE, OTHER_PAGE] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const account = testAccount('facebook');
const page = { pageId: DEFAULT_FACEBOOK_PAGE.id, pageToken: DEFAULT_FACEBOOK_PAGE.token };

function facebook(options: Partial<FacebookChannelOptions> = {}): FacebookChannel {
  return new FacebookChannel({
    graphUrl: fake.url,
    timeoutMs: 2_000,
    accounts: () => ({ credentials: page }),
    ...options,
  });
}

function contextFor(
  channel: FacebookChannel,
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

describe('publishing to a Page', () => {
  it('posts the message with the link and returns the post id and URL', async () => {
    const { ctx } = contextFor(facebook());
    const result = await facebook().publish(ctx);
    expect(fake.posts).toHaveLength(1);
    expect(fake.posts[0]).toMatchObject({
      message: ctx.post.text,
      link: 'https://news.example.org/2026/bike-lanes',
      photoUrl: null,
    });
    expect(result).toEqual({
      remoteId: fake.posts[0]!.id,
      remoteUrl: `https://www.facebook.com/${fake.posts[0]!.id}`,
    });
    expect(result.remoteId).toMatch(new RegExp(`^${DEFAULT_FACEBOOK_PAGE.id}_\\d+$`));
  });

  it('posts a photo with the text (and link) as its caption', async () => {
    const item = testItem({ imageUrl: 'https://news.example.org/bike.jpg', imageAlt: 'Bike lane' });
    const { ctx } = contextFor(facebook(), item);
    const result = await facebook().publish(ctx);
    expect(fake.posts[0]).toMatchObject({
      message: ctx.post.text,
      photoUrl: 'https://news.example.org/bike.jpg',
    });
    expect(ctx.post.text).toContain(item.url);
    expect(result.remoteId).toBe(fake.posts[0]!.id);
    expect(result.details).toEqual({ photoId: fake.posts[0]!.id.split('_')[1] });
  });

  it('checks the claim right before a link post or a photo post, and passes a lost claim on', async () => {
    const photo = testItem({ imageUrl: 'https://news.example.org/bike.jpg', imageAlt: 'Bike lane' });
    for (const item of [testItem(), photo]) {
      const { ctx } = contextFor(facebook(), item);
      ctx.beforeSend = () => Promise.reject(new ClaimLostError(ctx.delivery.id));
      await expect(facebook().publish(ctx)).rejects.toBeInstanceOf(ClaimLostError);
    }
    expect(fake.posts).toEqual([]);
  });

  it('edits the message of the earlier post', async () => {
    const channel = facebook();
    const previous = await channel.publish(contextFor(channel).ctx);
    const edited = testItem({ summary: 'Corrected: the vote was 8-1.' });
    const result = await channel.update({ ...contextFor(channel, edited).ctx, previous });
    expect(result).toEqual(previous);
    expect(fake.posts[0]!.edits).toEqual([channel.compose(edited, account).text]);
  });

  it('deletes the post, and accepts a post already gone', async () => {
    const channel = facebook();
    const previous = await channel.publish(contextFor(channel).ctx);
    await channel.remove({ ...contextFor(channel).ctx, previous });
    expect(fake.posts[0]!.deleted).toBe(true);
    await channel.remove({ ...contextFor(channel).ctx, previous });
  });
});

describe('failure classes (by Facebook error code, whatever the HTTP status)', () => {
  const rows: Array<{ failure: FacebookFailure; kind: ChannelError['kind']; message: RegExp | string }> = [
    {
      failure: { kind: 'rate_limited', code: 4 },
      kind: 'rate_limited',
      message: /^Facebook rate limit: will post at \d\d:\d\d UTC/,
    },
    { failure: { kind: 'rate_limited', code: 17 }, kind: 'rate_limited', message: /^Facebook rate limit/ },
    { failure: { kind: 'rate_limited', code: 32 }, kind: 'rate_limited', message: /^Facebook rate limit/ },
    { failure: { kind: 'rate_limited', code: 613 }, kind: 'rate_limited', message: /^Facebook rate limit/ },
    { failure: { kind: 'rate_limited', code: 80001 }, kind: 'rate_limited', message: /^Facebook rate limit/ },
    {
      failure: { kind: 'transient', code: 1 },
      kind: 'transient',
      message: 'Facebook had a temporary problem (code 1): will try again.',
    },
    {
      failure: { kind: 'transient', code: 2 },
      kind: 'transient',
      message: 'Facebook had a temporary problem (code 2): will try again.',
    },
    {
      failure: { kind: 'server_error', status: 502 },
      kind: 'transient',
      message: 'Facebook is having trouble (HTTP 502): will try again.',
    },
    {
      failure: { kind: 'token_expired' },
      kind: 'auth',
      message: 'The Facebook Page token expired on 3 December 2024: reconnect the Page.',
    },
    {
      failure: { kind: 'token_invalid', subcode: 458 },
      kind: 'auth',
      message: 'Herald was removed from the Facebook account that connected the Page: reconnect the Page.',
    },
    {
      failure: { kind: 'token_invalid', subcode: 460 },
      kind: 'auth',
      message:
        'The password of the Facebook account that connected the Page was changed: reconnect the Page.',
    },
    {
      failure: { kind: 'token_invalid', subcode: 467 },
      kind: 'auth',
      message: /^The Facebook Page token is no longer valid/,
    },
    { failure: { kind: 'permission', code: 10 }, kind: 'auth', message: /lacks a permission Herald needs/ },
    { failure: { kind: 'permission', code: 200 }, kind: 'auth', message: /lacks a permission Herald needs/ },
    {
      failure: { kind: 'blocked' },
      kind: 'permanent',
      message: /^Facebook has temporarily blocked this Page from posting/,
    },
    {
      failure: { kind: 'duplicate' },
      kind: 'permanent',
      message: 'Facebook rejected the post as a duplicate of a recent one.',
    },
    {
      failure: { kind: 'invalid_parameter' },
      kind: 'permanent',
      message: 'Facebook rejected the request (code 100: (#100) Invalid parameter).',
    },
    {
      failure: { kind: 'link_error' },
      kind: 'permanent',
      message: /^Facebook could not use the item's link/,
    },
    {
      failure: { kind: 'slow', delayMs: 1_500 },
      kind: 'transient',
      message: /^Facebook did not answer in time/,
    },
    { failure: { kind: 'drop' }, kind: 'transient', message: /Facebook/ },
    { failure: { kind: 'drop_after_accept' }, kind: 'transient', message: /may or may not have gone out/ },
  ];

  it.each(rows)('$failure -> $kind', async ({ failure, kind, message }) => {
    const channel = facebook({ timeoutMs: 500 });
    fake.inject(failure, { route: 'POST /' });
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error.kind).toBe(kind);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('waits as long as X-Business-Use-Case-Usage says', async () => {
    fake.inject({ kind: 'rate_limited', code: 80001, minutes: 7 });
    const before = Date.now();
    const error = await failureOf(facebook().publish(contextFor(facebook()).ctx));
    expect(error.retryAt!.getTime()).toBeGreaterThanOrEqual(before + 7 * 60_000);
    expect(error.retryAt!.getTime()).toBeLessThanOrEqual(Date.now() + 7 * 60_000);
  });

  it('reads a real duplicate: the same message posted twice', async () => {
    const channel = facebook();
    await channel.publish(contextFor(channel).ctx);
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error).toMatchObject({ kind: 'permanent', platformCode: '506/1455006' });
  });
});

describe('finding a post after an unknown outcome', () => {
  it('finds the post the fake accepted before the connection dropped', async () => {
    const channel = facebook();
    fake.inject({ kind: 'drop_after_accept' });
    const { ctx } = contextFor(channel);
    await failureOf(channel.publish(ctx));
    expect(await channel.findExisting(ctx)).toEqual({
      remoteId: fake.posts[0]!.id,
      remoteUrl: `https://www.facebook.com/${fake.posts[0]!.id}`,
    });
  });

  it('finds a photo post by the link in its caption', async () => {
    const channel = facebook();
    const item = testItem({ imageUrl: 'https://news.example.org/bike.jpg', imageAlt: 'Bike lane' });
    fake.inject({ kind: 'slow', delayMs: 1_000 });
    const { ctx } = contextFor(channel, item);
    await failureOf(facebook({ timeoutMs: 200 }).publish(ctx));
    expect((await channel.findExisting(ctx))?.remoteId).toBe(fake.posts[0]!.id);
  });

  it('returns null when the post is not there, ignoring posts older than the delivery', async () => {
    const channel = facebook();
    const { ctx } = contextFor(channel);
    fake.seed({ message: ctx.post.text, link: ctx.item.url, createdTime: new Date(Date.now() - 3_600_000) });
    expect(await channel.findExisting(ctx)).toBeNull();
  });

  it('looks through every page posted since the delivery was created (450 posts after ours)', async () => {
    const channel = facebook();
    const { ctx } = contextFor(channel);
    fake.seed({ message: 'ours', link: ctx.item.url });
    for (let i = 0; i < 450; i++) fake.seed({ message: `other post ${i}` });
    expect((await channel.findExisting(ctx))?.remoteId).toBe(fake.posts[0]!.id);
  });
});

describe('account check', () => {
  it('is ok with the Page token, and explains an expired one', async () => {
    expect(await facebook().check(account)).toEqual({ ok: true, reason: null });
    fake.invalidateToken(DEFAULT_FACEBOOK_PAGE.id, 463);
    expect(await facebook().check(account)).toEqual({
      ok: false,
      reason: 'The Facebook Page token expired on 3 December 2024: reconnect the Page.',
    });
  });

  it('notices a token that belongs to another Page', async () => {
    const channel = facebook({
      accounts: () => ({ credentials: { pageId: DEFAULT_FACEBOOK_PAGE.id, pageToken: OTHER_PAGE.token } }),
    });
    expect(await channel.check(account)).toEqual({
      ok: false,
      reason: `The token belongs to "Another Page", not to the Page ${DEFAULT_FACEBOOK_PAGE.id}: connect the Page again with a Page token.`,
    });
  });

  it('throws, rather than blaming the token, when Facebook cannot be reached', async () => {
    await expect(facebook({ graphUrl: 'http://127.0.0.1:9/v24.0' }).check(account)).rejects.toMatchObject({
      kind: 'transient',
    });
  });
});
