import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../../src/channels/adapter.js';
import { BlueskyChannel, type BlueskyChannelOptions } from '../../../src/channels/bluesky/adapter.js';
import { memorySessionStore, type SessionStore } from '../../../src/channels/bluesky/session.js';
import { TID_PATTERN, deliveryRecordKey } from '../../../src/channels/bluesky/tid.js';
import type { NewsItem } from '../../../src/domain/item.js';
import { DEFAULT_BLUESKY_ACCOUNT, startFakeBluesky, type FakeBluesky } from '../../fakes/bluesky.js';
import { testAccount, testContext, testDelivery, testItem } from '../../helpers/channel-fixtures.js';
import { startRouteServer, type RouteServer } from '../../helpers/route-server.js';

let fake: FakeBluesky;
let images: RouteServer;
let bigPng: Buffer;
beforeAll(async () => {
  fake = await startFakeBluesky();
  // Noise does not compress: a 1,400 px PNG of it is several megabytes.
  const side = 1400;
  const noise = randomBytes(side * side * 3);
  bigPng = await sharp(noise, { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();
  const png = (body: Buffer) => (_req: unknown, res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'image/png' }).end(body);
  images = await startRouteServer(new Map([['/big.png', png(bigPng)]]));
});
afterAll(async () => {
  await fake.close();
  await images.close();
});
beforeEach(() => fake.reset());

const account = testAccount('bluesky');
const credentials = {
  identifier: DEFAULT_BLUESKY_ACCOUNT.handle,
  appPassword: DEFAULT_BLUESKY_ACCOUNT.password,
};

function bluesky(options: Partial<BlueskyChannelOptions> = {}): BlueskyChannel {
  return new BlueskyChannel({
    service: fake.url,
    timeoutMs: 2_000,
    imageFetch: { allowPrivate: true },
    accounts: () => ({ credentials }),
    ...options,
  });
}

let deliveries = 0;
function contextFor(channel: BlueskyChannel, item: NewsItem = testItem(), id = `delivery-${++deliveries}`) {
  return testContext(channel.compose(item, account), item, account, testDelivery({ id, target: account.id }));
}

async function failureOf(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

const bytes = (text: string, start: number, end: number) =>
  Buffer.from(text, 'utf8').subarray(start, end).toString('utf8');

describe('posting', () => {
  it('creates the post under the record key derived from the delivery, with langs, facets and a link card', async () => {
    const channel = bluesky();
    const { ctx, delivery } = contextFor(channel, testItem({ language: 'fr' }));
    const result = await channel.publish(ctx);
    expect(fake.posts).toHaveLength(1);
    const post = fake.posts[0]!;
    const rkey = deliveryRecordKey(delivery.id, delivery.createdAt, 0);
    expect(rkey).toMatch(TID_PATTERN);
    expect(post.rkey).toBe(rkey);
    expect(post.value).toMatchObject({
      $type: 'app.bsky.feed.post',
      langs: ['fr'],
      embed: {
        $type: 'app.bsky.embed.external',
        external: {
          uri: 'https://news.example.org/2026/bike-lanes',
          title: 'Council approves new bike lanes',
          description: expect.stringContaining('12 km of protected bike lanes') as string,
        },
      },
    });
    expect(result).toEqual({
      remoteId: post.uri,
      remoteUrl: `https://bsky.app/profile/${DEFAULT_BLUESKY_ACCOUNT.handle}/post/${rkey}`,
      details: { posts: [{ uri: post.uri, cid: post.cid }] },
    });
    const facets = post.value.facets as Array<{
      index: { byteStart: number; byteEnd: number };
      features: Array<Record<string, string>>;
    }>;
    const text = post.value.text as string;
    const link = facets.find((f) => f.features[0]!.$type === 'app.bsky.richtext.facet#link')!;
    expect(link.features[0]!.uri).toBe('https://news.example.org/2026/bike-lanes');
    expect(bytes(text, link.index.byteStart, link.index.byteEnd)).toBe('news.example.org/2026/bike-la...');
    const tags = facets.filter((f) => f.features[0]!.$type === 'app.bsky.richtext.facet#tag');
    expect(tags.map((f) => bytes(text, f.index.byteStart, f.index.byteEnd))).toEqual([
      '#cycling',
      '#cityCouncil',
    ]);
  });

  it('counts facets in UTF-8 bytes after accents, emoji and right-to-left text, and shortens long links', async () => {
    const url =
      'https://news.example.org/2026/12/07/conseil-municipal-pistes-cyclables-approuvees?ref=herald';
    const item = testItem({
      title: 'Café crème 👩‍👩‍👧‍👦 مرحبا بالعالم שלום',
      summary: 'Ça roule ! 🚲🇧🇪',
      url,
      tags: ['vélo'],
    });
    const channel = bluesky();
    await channel.publish(contextFor(channel, item).ctx);
    const post = fake.posts[0]!;
    const text = post.value.text as string;
    const facets = post.value.facets as Array<{
      index: { byteStart: number; byteEnd: number };
      features: Array<Record<string, string>>;
    }>;
    const link = facets.find((f) => f.features[0]!.uri)!;
    expect(link.features[0]!.uri).toBe(url);
    const shown = bytes(text, link.index.byteStart, link.index.byteEnd);
    expect(shown).toBe('news.example.org/2026/12/07/c...');
    expect(text).not.toContain('?ref=herald');
    const tag = facets.find((f) => f.features[0]!.tag)!;
    expect(bytes(text, tag.index.byteStart, tag.index.byteEnd)).toBe('#vélo');
    expect(tag.features[0]!.tag).toBe('vélo');
  });

  it('turns a mention of a known handle into a mention facet with its DID', async () => {
    const item = testItem({
      channelTexts: { bluesky: `Thanks @${DEFAULT_BLUESKY_ACCOUNT.handle} and @nobody.example!` },
    });
    const channel = bluesky();
    await channel.publish(contextFor(channel, item).ctx);
    const facets = fake.posts[0]!.value.facets as Array<{ features: Array<Record<string, string>> }>;
    expect(facets.map((f) => f.features[0])).toEqual([
      { $type: 'app.bsky.richtext.facet#mention', did: DEFAULT_BLUESKY_ACCOUNT.did },
    ]);
  });

  it('uploads the item image, reduced below 1,000,000 bytes, as the link card thumbnail', async () => {
    expect(bigPng.length).toBeGreaterThan(1_000_000);
    const item = testItem({ imageUrl: `${images.base}/big.png`, imageAlt: 'A green bike lane' });
    const channel = bluesky();
    await channel.publish(contextFor(channel, item).ctx);
    expect(fake.blobs).toHaveLength(1);
    expect(fake.blobs[0]!.size).toBeLessThan(1_000_000);
    expect(fake.blobs[0]!.mimeType).toBe('image/jpeg');
    const embed = fake.posts[0]!.value.embed as {
      external: { thumb: { ref: { $link: string }; size: number } };
    };
    expect(embed.external.thumb).toMatchObject({
      ref: { $link: fake.blobs[0]!.cid },
      size: fake.blobs[0]!.size,
    });
  });

  it('posts a long summary as a thread of replies (root and parent) and deletes it last reply first', async () => {
    const summary = Array.from(
      { length: 12 },
      (_, i) => `Sentence ${i + 1} about the new bike lanes and sidewalks.`,
    ).join(' ');
    const channel = bluesky();
    const { ctx } = contextFor(channel, testItem({ summary, thread: true }));
    expect(ctx.post.parts.length).toBeGreaterThan(1);
    const result = await channel.publish(ctx);
    const posts = fake.posts;
    expect(posts).toHaveLength(ctx.post.parts.length);
    const root = { uri: posts[0]!.uri, cid: posts[0]!.cid };
    posts.slice(1).forEach((post, i) => {
      expect(post.value.reply).toEqual({ root, parent: { uri: posts[i]!.uri, cid: posts[i]!.cid } });
      expect(post.value.embed).toBeUndefined();
    });
    for (const post of posts)
      expect([...new Intl.Segmenter().segment(post.value.text as string)].length).toBeLessThanOrEqual(300);
    await channel.remove!({ ...ctx, previous: result });
    expect(fake.posts).toHaveLength(0);
    const deletes = fake.requests.filter((r) => r === 'com.atproto.repo.deleteRecord');
    expect(deletes).toHaveLength(posts.length);
  });
});

describe('sessions', () => {
  it('signs in once for many posts, and another process reuses the stored session', async () => {
    const store = memorySessionStore();
    const channel = bluesky({ sessionStore: store });
    for (let i = 0; i < 5; i++) await channel.publish(contextFor(channel).ctx);
    const other = bluesky({ sessionStore: store });
    await other.publish(contextFor(other).ctx);
    expect(fake.posts).toHaveLength(6);
    expect(fake.sessionsCreated).toBe(1);
  });

  it('refreshes an expired access token with refreshSession (once for concurrent posts) and stores the rotated session', async () => {
    const store = memorySessionStore();
    const channel = bluesky({ sessionStore: store });
    await channel.publish(contextFor(channel).ctx);
    const before = await store.load(account.id);
    fake.expireAccessTokens();
    await Promise.all([1, 2, 3].map(() => channel.publish(contextFor(channel).ctx)));
    expect(fake.posts).toHaveLength(4);
    expect(fake.sessionsCreated).toBe(1);
    expect(fake.refreshes).toBe(1);
    const after = await store.load(account.id);
    expect(after!.refreshJwt).not.toBe(before!.refreshJwt);
  });

  it('serialises refreshes across processes: the second takes the session the first stored', async () => {
    const store = sharedStore();
    const lock = memoryLock();
    const first = bluesky({ sessionStore: store, withLock: lock });
    const second = bluesky({ sessionStore: store, withLock: lock });
    await first.publish(contextFor(first).ctx);
    await second.publish(contextFor(second).ctx);
    fake.expireAccessTokens();
    await Promise.all([first.publish(contextFor(first).ctx), second.publish(contextFor(second).ctx)]);
    expect(fake.posts).toHaveLength(4);
    expect(fake.sessionsCreated).toBe(1);
    expect(fake.refreshes).toBe(1);
  });

  it('signs in again only when the refresh token is refused too', async () => {
    const channel = bluesky();
    await channel.publish(contextFor(channel).ctx);
    fake.expireAccessTokens();
    fake.expireRefreshTokens();
    await channel.publish(contextFor(channel).ctx);
    expect(fake.sessionsCreated).toBe(2);
  });

  it('does not reuse a stored session of other credentials', async () => {
    const store = memorySessionStore();
    await bluesky({ sessionStore: store }).check(account);
    const other = bluesky({
      sessionStore: store,
      accounts: () => ({ credentials: { ...credentials, appPassword: 'wxyz-wxyz-wxyz-wxyz' } }),
    });
    const error = await failureOf(other.publish(contextFor(other).ctx));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('BLUESKY_APP_PASSWORD');
    expect(error.message).not.toContain('wxyz-wxyz');
  });
});

describe('exactly once', () => {
  it('adopts the record already under its key when a repeated create is refused', async () => {
    const channel = bluesky();
    const { ctx } = contextFor(channel);
    const first = await channel.publish(ctx);
    const { ctx: again } = contextFor(channel, testItem(), ctx.delivery.id);
    again.delivery.createdAt = ctx.delivery.createdAt;
    expect(await channel.publish(again)).toEqual(first);
    expect(fake.posts).toHaveLength(1);
  });

  it('after a connection lost once the PDS accepted, getRecord finds the post', async () => {
    const channel = bluesky();
    const { ctx } = contextFor(channel);
    fake.inject({ kind: 'drop_after_accept' }, { method: 'createRecord' });
    fake.inject({ kind: 'drop' }, { method: 'getRecord' });
    const error = await failureOf(channel.publish(ctx));
    expect(error.kind).toBe('transient');
    expect(fake.posts).toHaveLength(1);
    const found = await channel.findExisting(ctx);
    expect(found?.remoteId).toBe(fake.posts[0]!.uri);
    expect(fake.posts).toHaveLength(1);
  });

  it('finds nothing when nothing was posted', async () => {
    const channel = bluesky();
    expect(await channel.findExisting(contextFor(channel).ctx)).toBeNull();
  });
});

describe('failures', () => {
  it('a 429 closes the gate until ratelimit-reset', async () => {
    fake.inject({ kind: 'rate_limited', seconds: 600 }, { method: 'createRecord' });
    const channel = bluesky();
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error.kind).toBe('rate_limited');
    const waitS = (error.retryAt!.getTime() - Date.now()) / 1000;
    expect(waitS).toBeGreaterThan(590);
    expect(waitS).toBeLessThan(610);
  });

  it('exhausted write points (a 429 from the PDS) close the gate until the hour ends', async () => {
    fake.setWritePoints(2, 1200);
    const channel = bluesky();
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error.kind).toBe('rate_limited');
    expect(fake.rateLimitRefusals).toBe(1);
    const waitS = (error.retryAt!.getTime() - Date.now()) / 1000;
    expect(waitS).toBeGreaterThan(1190);
    expect(waitS).toBeLessThan(1210);
  });

  it("does not send a write once the answers' ratelimit-remaining cannot pay for it, until ratelimit-reset", async () => {
    let now = new Date();
    const channel = bluesky({ now: () => now });
    fake.setWritePoints(5, 900); // one post (3 points) leaves 2: less than the next post costs
    await channel.publish(contextFor(channel).ctx);
    const writes = () => fake.requests.filter((m) => m === 'com.atproto.repo.createRecord').length;
    const sent = writes();
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error.kind).toBe('rate_limited');
    expect(writes()).toBe(sent);
    expect(fake.rateLimitRefusals).toBe(0);
    const waitS = (error.retryAt!.getTime() - now.getTime()) / 1000;
    expect(waitS).toBeGreaterThan(890);
    expect(waitS).toBeLessThan(910);
    // Reads count against the global limit, not the write points: they still go out.
    expect(await channel.findExisting(contextFor(channel).ctx)).toBeNull();
    // After the reset the PDS's window begins again, and so do the posts.
    now = new Date(error.retryAt!.getTime() + 1000);
    fake.setWritePoints(5000);
    await channel.publish(contextFor(channel).ctx);
    expect(writes()).toBe(sent + 1);
    expect(fake.posts).toHaveLength(2);
  });

  it('a wrong app password is an account problem, in words naming the setting and never the password', async () => {
    const channel = bluesky({
      accounts: () => ({ credentials: { ...credentials, appPassword: 'zzzz-zzzz-zzzz-zzzz' } }),
    });
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain('zzzz');
    expect((await channel.check(account)).ok).toBe(false);
  });

  it('a server error is transient', async () => {
    fake.inject({ kind: 'server_error', status: 502 }, { method: 'createRecord', times: 2 });
    const channel = bluesky();
    expect((await failureOf(channel.publish(contextFor(channel).ctx))).kind).toBe('transient');
  });

  it('check asks getSession', async () => {
    expect(await bluesky().check(account)).toEqual({ ok: true, reason: null });
    expect(fake.requests).toContain('com.atproto.server.getSession');
  });
});

/** Two "processes" sharing the database: each load returns a copy, as a new read would. */
function sharedStore(): SessionStore {
  const inner = memorySessionStore();
  return {
    load: async (id) => ((await inner.load(id)) ? { ...(await inner.load(id))! } : null),
    save: inner.save,
  };
}

/** A lock like the Redis one: one holder at a time per key. */
function memoryLock() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    tails.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  };
}
