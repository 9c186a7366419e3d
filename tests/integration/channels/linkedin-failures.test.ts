// The failure table (issue 3) for LinkedIn pages, row by row, through real BullMQ workers against the fake.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/http/server.js';
import { checkAccounts } from '../../../src/app/account-checks.js';
import { setAccountState } from '../../../src/store/accounts.js';
import { waitFor, type TestApp } from '../../helpers/app.js';
import { DEFAULT_LINKEDIN_ORGANIZATION, startFakeLinkedIn, type FakeLinkedIn } from '../../fakes/linkedin.js';
import { SECOND_ORGANIZATION, linkedinAccount } from '../../helpers/linkedin.js';
import {
  deliveryFor,
  expectNoSecretShown,
  fastForwardRateLimit,
  publishItem,
  startSocialApp,
  waitForDelivery,
} from '../../helpers/social.js';

const TOKEN = 'test-token-0123456789abcdef';
const SECRETS = [DEFAULT_LINKEDIN_ORGANIZATION.token, SECOND_ORGANIZATION.token];
const ATTEMPTS = 3;

let fake: FakeLinkedIn;
let app: TestApp;
let http: FastifyInstance;
let n = 0;

const posts = (organizationId: string) =>
  fake.posts.filter((p) => p.organizationId === organizationId && !p.deleted);
const count = (what: string) => fake.requests.filter((r) => r === what).length;
const settle = (ms = 700) => new Promise((r) => setTimeout(r, ms));

async function accountState(id: string) {
  const res = await http.inject({
    method: 'GET',
    url: '/api/channels',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return res.json().accounts.find((a: { id: string }) => a.id === id);
}

beforeAll(async () => {
  fake = await startFakeLinkedIn({ organizations: [DEFAULT_LINKEDIN_ORGANIZATION, SECOND_ORGANIZATION] });
  app = await startSocialApp(
    'sqlite',
    [
      linkedinAccount(fake, 'li-main'),
      linkedinAccount(fake, 'li-second', SECOND_ORGANIZATION),
      linkedinAccount(fake, 'li-retired', DEFAULT_LINKEDIN_ORGANIZATION, { version: '202401' }),
    ],
    { delivery: { attempts: ATTEMPTS, backoffMs: 300 } },
  );
  app.startWorkers(['channel']);
  http = await buildServer(app.ctx, { apiToken: TOKEN });
});

afterAll(async () => {
  await http?.close();
  await app?.close();
  await fake?.close();
});

afterEach(async () => {
  await expectNoSecretShown(app, http, TOKEN, SECRETS);
  fake.reset();
  for (const id of ['li-main', 'li-second', 'li-retired'])
    await setAccountState(app.ctx.store.db, id, 'ok', null);
});

describe('LinkedIn: posted whole, exactly once', () => {
  it('a title full of parentheses, brackets and underscores arrives whole through the workers', async () => {
    const title = 'Report (2026) [final]: heat_maps_v2 {draft} <b> *bold* ~ @team | C# \\ end';
    const item = await publishItem(app, ++n, { title, tags: ['climate'] }, ['li-main']);
    const done = await waitForDelivery(app, item.id, 'li-main', ['done']);
    const [post] = posts(DEFAULT_LINKEDIN_ORGANIZATION.id);
    expect(post).toMatchObject({ id: done.remoteId, cut: false });
    expect(post!.shown).toContain(title);
    expect(post!.shown).toContain('#climate');
  });

  it('the answer is lost after LinkedIn accepted: the retry finds the post instead of posting again', async () => {
    fake.inject({ kind: 'drop_after_accept' }, { route: 'POST /rest/posts' });
    const item = await publishItem(app, ++n, {}, ['li-main']);
    const done = await waitForDelivery(app, item.id, 'li-main', ['done']);
    expect(done.attempts).toBe(2);
    expect(posts(DEFAULT_LINKEDIN_ORGANIZATION.id).map((p) => p.id)).toEqual([done.remoteId]);
    expect(count('POST /rest/posts')).toBe(1);
    expect(count('GET /rest/posts')).toBe(1);
  });

  it('LinkedIn accepts but answers after the timeout: found, not repeated', async () => {
    fake.inject({ kind: 'slow', delayMs: 3_000 }, { route: 'POST /rest/posts' });
    const item = await publishItem(app, ++n, {}, ['li-main']);
    const done = await waitForDelivery(app, item.id, 'li-main', ['done']);
    expect(posts(DEFAULT_LINKEDIN_ORGANIZATION.id).map((p) => p.id)).toEqual([done.remoteId]);
    expect(count('POST /rest/posts')).toBe(1);
  });
});

describe('LinkedIn: rate limited, waits without using an attempt; the other page goes on', () => {
  it('429 without Retry-After: waits until midnight UTC, when the daily quota resets', async () => {
    fake.inject({ kind: 'rate_limited' }, { route: 'POST /rest/posts' });
    const first = await publishItem(app, ++n, {}, ['li-main']);
    const limited = await waitFor(async () => {
      const d = await deliveryFor(app, first.id, 'li-main');
      return d.errorKind === 'rate_limited' ? d : null;
    });
    expect(limited).toMatchObject({ status: 'pending', attempts: 0 });
    expect(limited.lastError).toMatch(/^LinkedIn rate limit: will post at 00:00 UTC/);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(Date.parse(limited.nextAttemptAt!)).toBe(midnight.getTime());

    const second = await publishItem(app, ++n, {}, ['li-main', 'li-second']);
    await waitForDelivery(app, second.id, 'li-second', ['done']);
    const gated = await waitFor(async () => {
      const d = await deliveryFor(app, second.id, 'li-main');
      return d.lastError?.startsWith("Waiting for this account's rate limit") ? d : null;
    });
    await settle();
    expect(count('POST /rest/posts')).toBe(2); // the refused one and li-second's

    await fastForwardRateLimit(app, 'li-main', [limited.id, gated.id]);
    const done = [
      await waitForDelivery(app, first.id, 'li-main', ['done']),
      await waitForDelivery(app, second.id, 'li-main', ['done']),
    ];
    expect(done.map((d) => d.attempts)).toEqual([1, 1]);
    expect(
      posts(DEFAULT_LINKEDIN_ORGANIZATION.id)
        .map((p) => p.id)
        .sort(),
    ).toEqual(done.map((d) => d.remoteId).sort());
  });

  it('429 with Retry-After: waits that long', async () => {
    fake.inject({ kind: 'rate_limited', retryAfter: 300 }, { route: 'POST /rest/posts' });
    const before = Date.now();
    const item = await publishItem(app, ++n, {}, ['li-second']);
    const limited = await waitFor(async () => {
      const d = await deliveryFor(app, item.id, 'li-second');
      return d.errorKind === 'rate_limited' ? d : null;
    });
    const wait = Date.parse(limited.nextAttemptAt!) - before;
    expect(wait).toBeGreaterThanOrEqual(299_000);
    expect(wait).toBeLessThanOrEqual(305_000);
    await fastForwardRateLimit(app, 'li-second', [limited.id]);
    expect((await waitForDelivery(app, item.id, 'li-second', ['done'])).attempts).toBe(1);
  });
});

describe('LinkedIn: passing problems are retried', () => {
  it('HTTP 503 twice, then accepted: one post, third attempt', async () => {
    fake.inject({ kind: 'server_error', status: 503 }, { route: 'POST /rest/posts', times: 2 });
    const item = await publishItem(app, ++n, {}, ['li-main']);
    const done = await waitForDelivery(app, item.id, 'li-main', ['done']);
    expect(done.attempts).toBe(3);
    expect(posts(DEFAULT_LINKEDIN_ORGANIZATION.id).map((p) => p.id)).toEqual([done.remoteId]);
    expect(done.remoteUrl).toBe(`https://www.linkedin.com/feed/update/${done.remoteId}/`);
  });
});

describe('LinkedIn: account problems mark the account, no retries', () => {
  it('an expired token (401): needs reconnecting; a check clears it once the token works', async () => {
    fake.inject({ kind: 'token_expired' }, { route: 'POST /rest/posts' });
    const item = await publishItem(app, ++n, {}, ['li-main']);
    const failed = await waitForDelivery(app, item.id, 'li-main', ['failed']);
    expect(failed).toMatchObject({ errorKind: 'auth', attempts: 1 });
    expect(failed.lastError).toMatch(/^LinkedIn no longer accepts the access token .*LINKEDIN_ACCESS_TOKEN/);
    expect(await accountState('li-main')).toMatchObject({
      state: 'needs_reconnect',
      stateReason: failed.lastError,
    });
    const later = await publishItem(app, ++n, {}, ['li-main']);
    const held = await waitFor(
      async () => {
        const d = await deliveryFor(app, later.id, 'li-main', 'create');
        return d?.status === 'pending' && d.lastError?.startsWith('Held:') ? d : null;
      },
      15_000,
      'held',
    );
    expect(held.lastError).toMatch(/^Held: .* needs reconnecting \(LinkedIn no longer accepts/);
    expect(count('POST /rest/posts')).toBe(1);
    const results = await checkAccounts(app.ctx);
    expect(results.find((r) => r.accountId === 'li-main')).toMatchObject({ ok: true });
    expect((await accountState('li-main')).state).toBe('ok');
    // Working again: the held post goes out, once.
    await waitForDelivery(app, later.id, 'li-main', ['done']);
    expect(count('POST /rest/posts')).toBe(2);
  });

  it('a retired LinkedIn-Version (426 NONEXISTENT_VERSION): the account is marked, naming LINKEDIN_VERSION', async () => {
    const before = posts(DEFAULT_LINKEDIN_ORGANIZATION.id).length;
    const item = await publishItem(app, ++n, {}, ['li-retired']);
    const failed = await waitForDelivery(app, item.id, 'li-retired', ['failed']);
    expect(failed).toMatchObject({ errorKind: 'auth', attempts: 1 });
    expect(failed.lastError).toMatch(/^LinkedIn no longer serves API version 202401.*set LINKEDIN_VERSION/);
    expect((await accountState('li-retired')).state).toBe('needs_reconnect');
    expect(posts(DEFAULT_LINKEDIN_ORGANIZATION.id)).toHaveLength(before);
    const check = (await checkAccounts(app.ctx)).find((r) => r.accountId === 'li-retired');
    expect(check).toMatchObject({ ok: false });
  });

  it('403 without the organisation permissions', async () => {
    fake.inject({ kind: 'permission' }, { route: 'POST /rest/posts' });
    const item = await publishItem(app, ++n, {}, ['li-second']);
    const failed = await waitForDelivery(app, item.id, 'li-second', ['failed']);
    expect(failed).toMatchObject({ errorKind: 'auth', attempts: 1 });
    expect(failed.lastError).toMatch(/^LinkedIn refused: the token lacks w_organization_social/);
  });
});

describe('LinkedIn: content refused, failed with the reason, the account stays fine', () => {
  it('422 on the article', async () => {
    fake.inject({ kind: 'invalid' }, { route: 'POST /rest/posts' });
    const item = await publishItem(app, ++n, {}, ['li-main']);
    const failed = await waitForDelivery(app, item.id, 'li-main', ['failed']);
    expect(failed).toMatchObject({
      errorKind: 'permanent',
      attempts: 1,
      lastError:
        'LinkedIn rejected the request (HTTP 422: ERROR :: /content/article/source :: Invalid article source url).',
    });
    await settle();
    expect(count('POST /rest/posts')).toBe(1);
    expect((await accountState('li-main')).state).toBe('ok');
  });
});
