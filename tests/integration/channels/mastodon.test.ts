import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../../src/channels/adapter.js';
import { MastodonChannel, statusText } from '../../../src/channels/mastodon/adapter.js';
import type { MastodonChannelOptions } from '../../../src/channels/mastodon/adapter.js';
import type { MastodonCredentials } from '../../../src/channels/mastodon/credentials.js';
import type { NewsItem } from '../../../src/domain/item.js';
import { DEFAULT_MASTODON_ACCOUNT, startFakeMastodon } from '../../fakes/mastodon.js';
import type { FakeMastodon } from '../../fakes/mastodon.js';
import { testAccount, testContext, testDelivery, testItem } from '../../helpers/channel-fixtures.js';

let fake: FakeMastodon;
beforeAll(async () => {
  fake = await startFakeMastodon();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const account = testAccount('mastodon');
const token: MastodonCredentials = { accessToken: DEFAULT_MASTODON_ACCOUNT.token, visibility: 'public' };

function mastodon(options: Partial<MastodonChannelOptions> = {}, credentials = token): MastodonChannel {
  return new MastodonChannel({
    instanceUrl: fake.url,
    timeoutMs: 2_000,
    mediaPollMs: 5,
    imageFetch: { allowPrivate: true }, // the fake serves its image on 127.0.0.1
    accounts: () => ({ credentials }),
    ...options,
  });
}

function contextFor(
  channel: MastodonChannel,
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

const longSummary = Array.from({ length: 60 }, (_, i) => `Sentence ${i} about the new lanes.`).join(' ');

describe('posting a status', () => {
  it('posts the text with the language and visibility, and returns the status id and URL', async () => {
    const item = testItem({ language: 'fr', title: 'Nouvelles pistes cyclables' });
    const { ctx } = contextFor(mastodon(), item);
    const result = await mastodon().publish(ctx);
    expect(fake.statuses).toHaveLength(1);
    expect(fake.statuses[0]).toMatchObject({ text: ctx.post.text, language: 'fr', visibility: 'public' });
    expect(ctx.post.text).toContain(item.url);
    expect(ctx.post.text).toContain('#cycling #cityCouncil');
    expect(result).toEqual({
      remoteId: fake.statuses[0]!.id,
      remoteUrl: `${fake.url}/@herald/${fake.statuses[0]!.id}`,
      details: { statusIds: [fake.statuses[0]!.id] },
    });
  });

  it('uses the configured visibility and content warning', async () => {
    const channel = mastodon({}, { ...token, visibility: 'unlisted', spoilerText: 'City news' });
    await channel.publish(contextFor(channel).ctx);
    expect(fake.statuses[0]).toMatchObject({ visibility: 'unlisted', spoilerText: 'City news' });
  });

  it('sends an Idempotency-Key from the delivery id: a retry gets the same status back', async () => {
    const channel = mastodon();
    const first = await channel.publish(contextFor(channel).ctx);
    // A new process with no saved progress repeats the request: the instance answers the first status.
    const again = await mastodon().publish(contextFor(mastodon()).ctx);
    expect(again.remoteId).toBe(first.remoteId);
    expect(fake.statuses).toHaveLength(1);
    const other = await channel.publish(
      contextFor(channel, testItem(), testDelivery({ id: 'delivery-2', target: account.id })).ctx,
    );
    expect(other.remoteId).not.toBe(first.remoteId);
  });

  it('uploads the image with its description, waits while it is processed, and attaches it', async () => {
    fake.mediaProcessingPolls = 2;
    const item = testItem({ imageUrl: fake.imageUrl, imageAlt: 'A green bike lane' });
    const { ctx } = contextFor(mastodon(), item);
    await mastodon().publish(ctx);
    expect(fake.media).toHaveLength(1);
    expect(fake.media[0]).toMatchObject({ description: 'A green bike lane', pollsLeft: 0 });
    expect(fake.statuses[0]!.mediaIds).toEqual([fake.media[0]!.id]);
    expect(fake.requests.filter((r) => r.startsWith('GET /api/v1/media/'))).toHaveLength(2);
  });

  it('posts a long summary as a numbered thread through in_reply_to_id', async () => {
    const item = testItem({ thread: true, summary: longSummary });
    const { ctx } = contextFor(mastodon(), item);
    expect(ctx.post.parts.length).toBeGreaterThan(1);
    const result = await mastodon().publish(ctx);
    expect(fake.statuses.map((s) => s.text)).toEqual(ctx.post.parts);
    expect(fake.statuses[0]!.text).toMatch(/^1\/\d /);
    for (let i = 1; i < fake.statuses.length; i++)
      expect(fake.statuses[i]!.inReplyToId).toBe(fake.statuses[i - 1]!.id);
    expect(result.details).toEqual({ statusIds: fake.statuses.map((s) => s.id) });
  });

  it('resumes a thread cut off midway without posting its first parts again', async () => {
    const item = testItem({ thread: true, summary: longSummary });
    const { ctx, delivery } = contextFor(mastodon(), item);
    fake.inject({ kind: 'server_error' }, { route: 'POST /api/v1/statuses', nth: 2 });
    const error = await failureOf(mastodon().publish(ctx));
    expect(error.kind).toBe('transient');
    expect(fake.statuses).toHaveLength(1);
    fake.forgetIdempotencyKeys(); // resuming must not rely on the keys
    await mastodon().publish({ ...ctx, delivery });
    expect(fake.statuses.map((s) => s.text)).toEqual(ctx.post.parts);
  });

  it('counts every URL as 23 characters and refuses what is longer than the instance allows', async () => {
    fake.limits.max_characters = 100;
    const override = `${'x'.repeat(80)} https://news.example.org/${'very-long-path/'.repeat(20)}`;
    const item = testItem({ channelTexts: { mastodon: override } });
    const { ctx } = contextFor(mastodon(), item);
    expect(ctx.post.length).toBe(80 + 1 + 23);
    const error = await failureOf(mastodon().publish(ctx));
    expect(error).toMatchObject({ kind: 'permanent' });
    expect(error.message).toContain('this instance allows 100');
    expect(fake.statuses).toHaveLength(0);
  });

  it('edits the text of the earlier status and deletes a whole thread on withdraw', async () => {
    const channel = mastodon();
    const item = testItem({ thread: true, summary: longSummary });
    const previous = await channel.publish(contextFor(channel, item).ctx);
    const edited = testItem({ title: 'Council approves even more bike lanes' });
    await channel.update({ ...contextFor(channel, edited).ctx, previous });
    expect(fake.statuses[0]!.edits).toHaveLength(1);
    expect(fake.statuses[0]!.edits[0]).toContain('even more bike lanes');
    await channel.remove({ ...contextFor(channel, item).ctx, previous });
    expect(fake.statuses.every((s) => s.deleted)).toBe(true);
    // Deleting again finds nothing and is fine.
    await channel.remove({ ...contextFor(channel, item).ctx, previous });
  });
});

describe("the instance's limits", () => {
  const instanceReads = () => fake.requests.filter((r) => r === 'GET /api/v2/instance').length;

  it('composes, threads and counts URLs as an instance allowing 1,000 characters does', async () => {
    fake.limits = { max_characters: 1_000, characters_reserved_per_url: 30 };
    const channel = mastodon();
    const summary = longSummary.slice(0, 800);
    expect(channel.compose(testItem({ summary }), account).limit).toBe(500); // not read yet: the defaults
    await channel.prepare(account);
    const single = channel.compose(testItem({ summary }), account);
    expect(single).toMatchObject({ limit: 1_000, parts: [single.text], warnings: [] });
    expect(single.text).toContain(summary.trim());
    expect(single.length).toBe(single.text.length - testItem().url.length + 30);
    expect(single.length).toBeGreaterThan(500);
    const thread = channel.compose(testItem({ summary: longSummary, thread: true }), account);
    const threadAt500 = mastodon().compose(testItem({ summary: longSummary, thread: true }), account);
    expect(thread.parts.length).toBeLessThan(threadAt500.parts.length);
    expect(thread.length).toBeGreaterThan(500);
    expect(thread.length).toBeLessThanOrEqual(1_000);
    await channel.publish(testContext(thread, testItem(), account, testDelivery({ target: account.id })).ctx);
    expect(fake.statuses.map((s) => s.text)).toEqual(thread.parts);
  });

  it('shortens to what a smaller instance allows', async () => {
    fake.limits = { max_characters: 200, characters_reserved_per_url: 23 };
    const channel = mastodon();
    await channel.prepare(account);
    const post = channel.compose(testItem({ summary: longSummary }), account);
    expect(post).toMatchObject({
      limit: 200,
      warnings: ['Shortened to fit the 200 characters of Mastodon.'],
    });
    expect(post.length).toBeLessThanOrEqual(200);
    await channel.publish(testContext(post, testItem(), account, testDelivery({ target: account.id })).ctx);
    expect(fake.statuses).toHaveLength(1);
  });

  it('reads the instance once per account, and again after an hour', async () => {
    let now = new Date('2026-12-07T10:00:00Z');
    const channel = mastodon({ now: () => now });
    await Promise.all([channel.prepare(account), channel.prepare(account)]);
    for (let n = 0; n < 3; n++) {
      await channel.prepare(account);
      const item = testItem({ id: `itm_${n}`, url: `https://news.example.org/${n}` });
      const delivery = testDelivery({ id: `dlv_limits_${n}`, target: account.id });
      await channel.publish(testContext(channel.compose(item, account), item, account, delivery).ctx);
    }
    expect(instanceReads()).toBe(1);
    fake.limits = { max_characters: 800, characters_reserved_per_url: 23 };
    now = new Date('2026-12-07T10:59:00Z');
    await channel.prepare(account);
    expect(channel.compose(testItem(), account).limit).toBe(500);
    now = new Date('2026-12-07T11:01:00Z');
    await channel.prepare(account);
    expect(channel.compose(testItem(), account).limit).toBe(800);
    expect(instanceReads()).toBe(2);
  });
});

describe('after an unknown outcome', () => {
  it('finds the status posted since the delivery was created (keys forgotten after an hour)', async () => {
    fake.inject({ kind: 'drop_after_accept' }, { route: 'POST /api/v1/statuses' });
    const { ctx } = contextFor(mastodon());
    const error = await failureOf(mastodon().publish(ctx));
    expect(error.kind).toBe('transient');
    fake.forgetIdempotencyKeys();
    const found = await mastodon().findExisting(ctx);
    expect(found?.remoteId).toBe(fake.statuses[0]!.id);
    expect(found?.remoteUrl).toBe(`${fake.url}/@herald/${fake.statuses[0]!.id}`);
  });

  it('does not take an older status with the same text, nor someone else’s reply', async () => {
    const { ctx } = contextFor(
      mastodon(),
      testItem(),
      testDelivery({ target: account.id, createdAt: new Date().toISOString() }),
    );
    fake.seed({ text: ctx.post.text, createdAt: new Date(Date.now() - 3 * 3_600_000) });
    expect(await mastodon().findExisting(ctx)).toBeNull();
  });

  it('records the parts of a thread found and leaves the rest to publish', async () => {
    const item = testItem({ thread: true, summary: longSummary });
    const { ctx, delivery } = contextFor(mastodon(), item);
    const first = fake.seed({ text: ctx.post.parts[0]! });
    fake.seed({ text: ctx.post.parts[1]!, inReplyToId: first.id });
    expect(await mastodon().findExisting(ctx)).toBeNull();
    expect(delivery.progress.statusIds).toEqual([first.id, fake.statuses[1]!.id]);
    await mastodon().publish({ ...ctx, delivery });
    expect(fake.statuses.map((s) => s.text)).toEqual(ctx.post.parts);
  });

  it('reads HTML content back as the text that was sent', () => {
    expect(
      statusText(
        '<p>A &amp; B &lt;3</p><p>line<br />two <a href="https://x.org/a"><span class="invisible">https://</span><span>x.org/a</span><span class="invisible"></span></a></p>',
      ),
    ).toBe('A & B <3 line two x.org/a');
  });
});

describe('errors', () => {
  it('sorts the answers of the instance', async () => {
    const cases: Array<[Parameters<FakeMastodon['inject']>[0], string]> = [
      [{ kind: 'unauthorized' }, 'auth'],
      [{ kind: 'forbidden' }, 'auth'],
      [{ kind: 'unprocessable' }, 'permanent'],
      [{ kind: 'server_error', status: 503 }, 'transient'],
      [{ kind: 'drop' }, 'transient'],
    ];
    for (const [failure, kind] of cases) {
      fake.reset();
      fake.inject(failure, { route: 'POST /api/v1/statuses' });
      const error = await failureOf(mastodon().publish(contextFor(mastodon()).ctx));
      expect(error.kind, failure.kind).toBe(kind);
      expect(error.message).not.toContain(DEFAULT_MASTODON_ACCOUNT.token);
    }
  });

  it('waits for X-RateLimit-Reset on a 429', async () => {
    fake.inject({ kind: 'rate_limited', resetInMs: 120_000 }, { route: 'POST /api/v1/statuses' });
    const error = await failureOf(mastodon().publish(contextFor(mastodon()).ctx));
    expect(error.kind).toBe('rate_limited');
    const wait = error.retryAt!.getTime() - Date.now();
    expect(wait).toBeGreaterThan(100_000);
    expect(wait).toBeLessThanOrEqual(120_000);
  });

  it('does not call once X-RateLimit-Remaining reached 0 before the reset', async () => {
    const channel = mastodon();
    await channel.publish(contextFor(channel).ctx);
    fake.remaining = 0;
    expect((await channel.check(account)).ok).toBe(true);
    const before = fake.requests.length;
    const delivery = testDelivery({ id: 'delivery-2', target: account.id });
    const error = await failureOf(channel.publish(contextFor(channel, testItem(), delivery).ctx));
    expect(error.kind).toBe('rate_limited');
    expect(fake.requests.length).toBe(before);
  });

  it('a wrong token fails the account check in plain words; a good one passes', async () => {
    expect(await mastodon().check(account)).toEqual({ ok: true, reason: null });
    const bad = await mastodon({}, { ...token, accessToken: 'not-the-token-123' }).check(account);
    expect(bad.ok).toBe(false);
    expect(bad.reason).toContain('access token is invalid');
    expect(bad.reason).not.toContain('not-the-token-123');
  });
});
