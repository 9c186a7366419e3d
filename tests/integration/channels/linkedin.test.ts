import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../../src/channels/adapter.js';
import { LinkedInChannel } from '../../../src/channels/linkedin/adapter.js';
import type { LinkedInChannelOptions } from '../../../src/channels/linkedin/adapter.js';
import { linkedinCredentialsFrom } from '../../../src/channels/linkedin/credentials.js';
import { escapeLittle } from '../../../src/channels/linkedin/little.js';
import type { NewsItem } from '../../../src/domain/item.js';
import { DEFAULT_LINKEDIN_ORGANIZATION, renderLittle, startFakeLinkedIn } from '../../fakes/linkedin.js';
import type { FakeLinkedIn, LinkedInFailure } from '../../fakes/linkedin.js';
import { testAccount, testContext, testDelivery, testItem } from '../../helpers/channel-fixtures.js';

const OTHER = { id: '5515715', token: 'AQXfakelinkedintoken0002' };

let fake: FakeLinkedIn;
beforeAll(async () => {
  fake = await startFakeLinkedIn({ organizations: [DEFAULT_LINKEDIN_ORGANIZATION, OTHER] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const account = testAccount('linkedin');
const credentials = linkedinCredentialsFrom({
  organizationId: DEFAULT_LINKEDIN_ORGANIZATION.id,
  accessToken: DEFAULT_LINKEDIN_ORGANIZATION.token,
});

function linkedin(options: Partial<LinkedInChannelOptions> = {}, extra: Record<string, string> = {}) {
  const creds = linkedinCredentialsFrom({
    organizationId: DEFAULT_LINKEDIN_ORGANIZATION.id,
    accessToken: DEFAULT_LINKEDIN_ORGANIZATION.token,
    ...extra,
  });
  return new LinkedInChannel({
    apiUrl: fake.url,
    timeoutMs: 2_000,
    accounts: () => ({ credentials: creds }),
    imageFetch: { allowPrivate: true }, // the fake serves its image on 127.0.0.1
    ...options,
  });
}

function contextFor(
  channel: LinkedInChannel,
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

const HOSTILE_TITLE = 'Budget (2027) [draft]: snake_case_names, <tags>, {braces} & a|pipe ~ *stars* @ \\ C#';

describe('publishing to an organisation page', () => {
  it('posts the commentary with an article card, as the organisation, with the versioned headers', async () => {
    const channel = linkedin();
    const { ctx } = contextFor(channel);
    const result = await channel.publish(ctx);
    expect(fake.posts).toHaveLength(1);
    const post = fake.posts[0]!;
    expect(post).toMatchObject({
      organizationId: DEFAULT_LINKEDIN_ORGANIZATION.id,
      shown: ctx.post.text,
      cut: false,
      article: {
        source: 'https://news.example.org/2026/bike-lanes',
        title: 'Council approves new bike lanes',
        description: expect.stringContaining('7-2'),
      },
    });
    expect(ctx.post.text).toContain('#cycling #cityCouncil');
    expect(result).toEqual({
      remoteId: post.id,
      remoteUrl: `https://www.linkedin.com/feed/update/${post.id}/`,
    });
    expect(fake.versions).toEqual(['202610']);
  });

  it('escapes every reserved character: a title full of them arrives whole (the fake cuts like LinkedIn)', async () => {
    const item = testItem({
      title: HOSTILE_TITLE,
      summary: 'See (https://example.org/a_b_(c)) and [notes_2026] #budget.',
      tags: ['finance'],
    });
    const channel = linkedin();
    const { ctx } = contextFor(channel, item);
    await channel.publish(ctx);
    const post = fake.posts[0]!;
    expect(post.cut).toBe(false);
    expect(post.shown).toBe(ctx.post.text);
    expect(post.shown).toContain(HOSTILE_TITLE);
    expect(post.shown).toContain('https://example.org/a_b_(c)');
    expect(post.shown).toContain('#budget');
  });

  it('keeps hashtags with underscores whole: in tags, in the summary, beside parentheses and brackets', async () => {
    const item = testItem({
      title: 'Plan (v2) [heat_maps]: #open_data_2026 (#climate_action) and #vélo_lanes_',
      summary: 'Read [this_one](#not_a_link) via https://example.org/x_(y)_z #budget',
      tags: ['bike_lanes', 'city-council'],
    });
    const channel = linkedin();
    const { ctx } = contextFor(channel, item);
    await channel.publish(ctx);
    const post = fake.posts[0]!;
    expect(post).toMatchObject({ cut: false, shown: ctx.post.text });
    expect(post.hashtags).toEqual([
      'open_data_2026',
      'climate_action',
      'vélo_lanes_',
      'not_a_link',
      'budget',
      'bike_lanes',
      'cityCouncil',
    ]);
    expect(post.shown).toContain('https://example.org/x_(y)_z');
    expect(escapeLittle('#a_b')).toBe('{hashtag|\\#|a_b}');
    expect(escapeLittle('snake_case #tag C#_x')).toBe('snake\\_case #tag C\\#\\_x');
  });

  it('the fake is faithful: unescaped, LinkedIn answers 201 and keeps only the text before the first reserved character', () => {
    expect(renderLittle('Budget (2027) draft')).toMatchObject({ shown: 'Budget ', cutAt: 7 });
    expect(renderLittle('snake_case')).toMatchObject({ shown: 'snake', cutAt: 5 });
    expect(renderLittle('#snake_case')).toEqual({ shown: '#snake', cutAt: 6, hashtags: ['snake'] });
    expect(renderLittle(escapeLittle(HOSTILE_TITLE))).toEqual({
      shown: HOSTILE_TITLE,
      cutAt: null,
      hashtags: [],
    });
    expect(renderLittle('Go #vélo and {hashtag|\\#|bike_lanes} https://x.org/a_b').shown).toBe(
      'Go #vélo and #bike_lanes https://x.org/a_b',
    );
  });

  it('uploads the image through the Images API and uses it as the article thumbnail', async () => {
    const item = testItem({ imageUrl: fake.imageUrl, imageAlt: 'A new bike lane' });
    const channel = linkedin();
    await channel.publish(contextFor(channel, item).ctx);
    const thumbnail = fake.posts[0]!.article?.thumbnail;
    expect(thumbnail).toMatch(/^urn:li:image:/);
    expect(fake.images.get(thumbnail!)).toBeGreaterThan(0);
    expect(fake.requests).toEqual([
      'GET /__fixtures/image.png',
      'POST /rest/images',
      expect.stringMatching(/^PUT \/upload\/images\//),
      'POST /rest/posts',
    ]);
  });

  it('edits the commentary with a partial update, escaped too', async () => {
    const channel = linkedin();
    const previous = await channel.publish(contextFor(channel).ctx);
    const edited = testItem({ summary: 'Corrected (again): the vote was 8_1 [final].' });
    const result = await channel.update({ ...contextFor(channel, edited).ctx, previous });
    expect(result).toEqual(previous);
    expect(fake.posts[0]!.edits).toEqual([channel.compose(edited, account).text]);
    expect(fake.posts[0]!.cut).toBe(false);
  });

  it('deletes the post, and accepts a post already gone', async () => {
    const channel = linkedin();
    const previous = await channel.publish(contextFor(channel).ctx);
    await channel.remove({ ...contextFor(channel).ctx, previous });
    expect(fake.posts[0]!.deleted).toBe(true);
    await channel.remove({ ...contextFor(channel).ctx, previous });
  });

  it('finds an earlier post of the delivery by its article link, or by its text', async () => {
    const channel = linkedin();
    const item = testItem({ title: HOSTILE_TITLE });
    const { ctx } = contextFor(channel, item);
    expect(await channel.findExisting(ctx)).toBeNull();
    const posted = await channel.publish(ctx);
    expect(await channel.findExisting(ctx)).toEqual(posted);
    const moved = { ...ctx, item: { ...item, url: 'https://news.example.org/elsewhere' } };
    expect(await channel.findExisting(moved)).toEqual(posted);
    expect(fake.requests.filter((r) => r === 'GET /rest/posts')).toHaveLength(3);
  });

  it('counts the text as sent (escapes included) against 3,000 characters', () => {
    const channel = linkedin();
    const post = channel.compose(testItem({ channelTexts: { linkedin: '(x) '.repeat(600) } }), account);
    expect(post.text.length).toBe(2399);
    expect(post.length).toBe(3599);
    expect(post.limit).toBe(3000);
    expect(post.warnings.join(' ')).toMatch(/^Too long: 3599 of 3000 characters LinkedIn allows/);
  });

  it('the check reads the page with the token; a check of another organisation is refused', async () => {
    expect(await linkedin().check(account)).toEqual({ ok: true, reason: null });
    const other = await linkedin({}, { organizationId: OTHER.id }).check(account);
    expect(other.ok).toBe(false);
    expect(other.reason).toMatch(/^LinkedIn refused: the token lacks w_organization_social/);
  });

  it('knows the configured token expiry', () => {
    expect(linkedin().tokenExpiresAt()).toBeNull();
    const at = new Date('2027-02-05T00:00:00Z');
    expect(linkedin({ tokenExpiresAt: at }).tokenExpiresAt()).toEqual(at);
    expect(credentials.version).toBe('202610');
  });
});

describe('failure classes', () => {
  const rows: Array<{ failure: LinkedInFailure; kind: ChannelError['kind']; message: RegExp | string }> = [
    {
      failure: { kind: 'rate_limited' },
      kind: 'rate_limited',
      message: /^LinkedIn rate limit: will post at 00:00 UTC/,
    },
    {
      failure: { kind: 'server_error', status: 503 },
      kind: 'transient',
      message: 'LinkedIn is having trouble (HTTP 503): will try again.',
    },
    {
      failure: { kind: 'token_expired' },
      kind: 'auth',
      message: /^LinkedIn no longer accepts the access token \(it expired, after 60 days, or was revoked\)/,
    },
    { failure: { kind: 'permission' }, kind: 'auth', message: /^LinkedIn refused: the token lacks/ },
    {
      failure: { kind: 'invalid' },
      kind: 'permanent',
      message:
        'LinkedIn rejected the request (HTTP 422: ERROR :: /content/article/source :: Invalid article source url).',
    },
    { failure: { kind: 'drop' }, kind: 'transient', message: /LinkedIn/ },
  ];

  it.each(rows)('$failure.kind → $kind', async ({ failure, kind, message }) => {
    fake.inject(failure, { route: 'POST /rest/posts' });
    const channel = linkedin();
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(DEFAULT_LINKEDIN_ORGANIZATION.token);
  });

  it('a retired version (426 NONEXISTENT_VERSION) names the setting to change', async () => {
    const channel = linkedin({}, { version: '202401' });
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error).toMatchObject({ kind: 'auth', platformCode: 'NONEXISTENT_VERSION' });
    expect(error.message).toBe(
      `LinkedIn no longer serves API version 202401, which Herald asks for: set LINKEDIN_VERSION (or the account's "version" credential) to a current version as YYYYMM, e.g. 202610, then check the account.`,
    );
    expect(fake.posts).toHaveLength(0);
  });

  it('Retry-After, when LinkedIn sends one, sets the wait', async () => {
    fake.inject({ kind: 'rate_limited', retryAfter: 120 }, { route: 'POST /rest/posts' });
    const channel = linkedin();
    const before = Date.now();
    const error = await failureOf(channel.publish(contextFor(channel).ctx));
    expect(error.retryAt!.getTime() - before).toBeGreaterThanOrEqual(119_000);
    expect(error.retryAt!.getTime() - before).toBeLessThan(125_000);
  });

  it('an expired token refuses the check', async () => {
    fake.expireToken();
    const check = await linkedin().check(account);
    expect(check.ok).toBe(false);
    expect(check.reason).toMatch(/^LinkedIn no longer accepts the access token/);
  });
});
