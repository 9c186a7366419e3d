// X's 2026 rules (issue 16): 402 holds the account and its posts until "Try again" or the daily check, the
// monthly budget holds a post until a person releases it, a reply refused by X's reply settings leaves a partial
// thread, look-ups read small pages from the first send, and the preview shows what each X post costs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/http/server.js';
import { checkAccounts } from '../../../src/app/account-checks.js';
import { reconcile } from '../../../src/queues/reconcile.js';
import { findAccount } from '../../../src/store/accounts.js';
import { waitFor, type TestApp } from '../../helpers/app.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../fakes/twitter.js';
import { addUser, Client } from '../../helpers/web.js';
import {
  ACCESS_SECRET,
  APP_KEY,
  APP_SECRET,
  THREAD_SUMMARY,
  deliveryFor,
  expectNoSecretShown,
  publishItem,
  startFakes,
  startSocialApp,
  twitterAccount,
  waitForDelivery,
  type Fakes,
} from '../../helpers/social.js';

const TOKEN = 'test-token-0123456789abcdef';
const SECRETS = [APP_KEY, APP_SECRET, ACCESS_SECRET, DEFAULT_TWITTER_ACCOUNT.accessToken];
const bearer = { authorization: `Bearer ${TOKEN}` };

let fakes: Fakes;
let app: TestApp;
let http: FastifyInstance;
let admin: Client;
let n = 0;

const tweetPosts = () => fakes.twitter.requests.filter((r) => r === 'POST /2/tweets').length;
const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));

function heldDelivery(itemId: string) {
  return waitFor(async () => {
    const d = await deliveryFor(app, itemId, 'tw-main');
    return d.status === 'pending' && d.progress.hold ? d : null;
  });
}

beforeAll(async () => {
  fakes = await startFakes();
  app = await startSocialApp('sqlite', [twitterAccount(fakes, 'tw-main')], {
    delivery: { attempts: 3, backoffMs: 200 },
  });
  app.startWorkers(['channel']);
  http = await buildServer(app.ctx, { apiToken: TOKEN });
  await addUser(app, 'admin@example.org', 'admin');
  admin = new Client(http);
  await admin.signIn('admin@example.org');
});

afterAll(async () => {
  await http?.close();
  await app?.close();
  await fakes?.close();
});

afterEach(async () => {
  const pages = await Promise.all(['/channels', '/'].map(async (url) => (await admin.get(url)).body));
  await expectNoSecretShown(app, http, TOKEN, SECRETS, pages);
  fakes.twitter.reset();
  app.ctx.config.twitter.monthlyBudgetUsd = undefined;
});

describe('402: X credits ran out', () => {
  it('holds the account and its posts (no retry loop), says so, and "Try again" sends them', async () => {
    fakes.twitter.creditsLeft = false;
    const first = await publishItem(app, ++n, {}, ['tw-main']);
    const held = await heldDelivery(first.id);
    expect(held).toMatchObject({ errorKind: 'held', attempts: 0, status: 'pending' });
    expect(held.lastError).toContain('prepaid credits have run out (HTTP 402)');
    expect(await findAccount(app.ctx.store.db, 'tw-main')).toMatchObject({ state: 'needs_credits' });

    // A later post waits too, without asking X; the reconciler leaves held posts alone.
    const second = await publishItem(app, ++n, {}, ['tw-main']);
    await heldDelivery(second.id);
    await settle();
    expect(tweetPosts()).toBe(1);
    expect((await reconcile(app.ctx)).deliveriesRestored).toBe(0);
    await settle();
    expect(tweetPosts()).toBe(1);

    const channels = (await admin.get('/channels')).body;
    expect(channels).toContain('Out of X credits');
    expect(channels).toContain('action="/channels/tw-main/try-again"');
    const dashboard = (await admin.get('/')).body;
    expect(dashboard).toContain('Accounts on hold');
    expect(dashboard).toContain('2 posts wait.');
    const itemPage = (await admin.get(`/items/${first.id}`)).body;
    expect(itemPage).toContain('On hold');

    fakes.twitter.creditsLeft = true;
    const res = await http.inject({
      method: 'POST',
      url: '/api/channels/tw-main/try-again',
      headers: bearer,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ account: 'tw-main', released: 2 });
    await waitForDelivery(app, first.id, 'tw-main', ['done']);
    await waitForDelivery(app, second.id, 'tw-main', ['done']);
    expect(await findAccount(app.ctx.store.db, 'tw-main')).toMatchObject({ state: 'ok' });
    expect(fakes.twitter.posts).toHaveLength(2);
    const again = await http.inject({
      method: 'POST',
      url: '/api/channels/tw-main/try-again',
      headers: bearer,
    });
    expect(again.statusCode).toBe(409);
  });

  it('the daily check tries again: still no credits holds again, credits back sends', async () => {
    fakes.twitter.creditsLeft = false;
    const item = await publishItem(app, ++n, {}, ['tw-main']);
    await heldDelivery(item.id);
    await checkAccounts(app.ctx);
    await waitFor(async () => (tweetPosts() === 2 ? true : null));
    const heldAgain = await heldDelivery(item.id);
    expect(heldAgain).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await findAccount(app.ctx.store.db, 'tw-main')).toMatchObject({ state: 'needs_credits' });

    fakes.twitter.creditsLeft = true;
    await checkAccounts(app.ctx);
    await waitForDelivery(app, item.id, 'tw-main', ['done']);
    expect(fakes.twitter.posts).toHaveLength(1);
  });

  it('the Channels page button releases them too', async () => {
    fakes.twitter.creditsLeft = false;
    const item = await publishItem(app, ++n, {}, ['tw-main']);
    await heldDelivery(item.id);
    fakes.twitter.creditsLeft = true;
    const res = await admin.post('/channels/tw-main/try-again', { _csrf: await admin.csrf() });
    expect(res.statusCode).toBe(303);
    await waitForDelivery(app, item.id, 'tw-main', ['done']);
  });
});

describe('the monthly X budget', () => {
  it('holds the post that would go over it, with the reason, until a person sends it anyway', async () => {
    const before = (await http.inject({ method: 'GET', url: '/api/channels', headers: bearer })).json();
    app.ctx.config.twitter.monthlyBudgetUsd = before.xSpend.totalUsd + 0.3;
    const first = await publishItem(app, ++n, {}, ['tw-main']);
    await waitForDelivery(app, first.id, 'tw-main', ['done']);
    const spend = (await http.inject({ method: 'GET', url: '/api/channels', headers: bearer })).json();
    expect(spend.xSpend.totalUsd).toBeCloseTo(before.xSpend.totalUsd + 0.2, 6);

    app.ctx.config.twitter.monthlyBudgetUsd = spend.xSpend.totalUsd + 0.1;
    const second = await publishItem(app, ++n, {}, ['tw-main']);
    const held = await heldDelivery(second.id);
    expect(held.lastError).toMatch(/would cost \$0\.20 on X .* over the monthly budget/);
    expect(tweetPosts()).toBe(1);
    expect((await admin.get('/')).body).toContain('Posts held by the monthly X budget');
    expect((await admin.get(`/items/${second.id}`)).body).toContain(
      `action="/deliveries/${held.id}/release"`,
    );
    expect((await admin.get('/channels')).body).toContain('monthly budget');

    const res = await http.inject({
      method: 'POST',
      url: `/api/deliveries/${held.id}/release`,
      headers: bearer,
    });
    expect(res.statusCode).toBe(202);
    await waitForDelivery(app, second.id, 'tw-main', ['done']);
    expect(fakes.twitter.posts).toHaveLength(2);
    const twice = await http.inject({
      method: 'POST',
      url: `/api/deliveries/${held.id}/release`,
      headers: bearer,
    });
    expect(twice.statusCode).toBe(409);
  });
});

describe('threads and look-ups', () => {
  it("a reply refused by X's reply settings leaves the first post and marks the thread partial", async () => {
    fakes.twitter.inject({ kind: 'reply_not_allowed' }, { route: 'POST /2/tweets', nth: 2 });
    const item = await publishItem(app, ++n, { summary: THREAD_SUMMARY, thread: true }, ['tw-main']);
    const done = await waitForDelivery(app, item.id, 'tw-main', ['done', 'failed']);
    expect(done.status).toBe('done');
    expect(fakes.twitter.posts).toHaveLength(1);
    expect(done.remoteId).toBe(fakes.twitter.posts[0]!.id);
    expect(done.progress.threadPartial).toMatch(
      /X refused part 2 of \d+ of the thread .* the first 1 post stays/,
    );
    await settle();
    expect(tweetPosts()).toBe(2);
    expect((await admin.get(`/items/${item.id}`)).body).toContain('Thread posted in part');
  });

  it('the look-up after a lost answer reads small pages from the first send and counts what it read', async () => {
    for (let i = 0; i < 30; i++)
      fakes.twitter.seed({
        text: `older post ${i}`,
        createdAt: new Date(Date.now() - 86_400_000).toISOString(),
      });
    for (let i = 0; i < 3; i++) fakes.twitter.seed({ text: `someone else's post ${i}` });
    fakes.twitter.inject({ kind: 'drop_after_accept' }, { route: 'POST /2/tweets' });
    const item = await publishItem(app, ++n, {}, ['tw-main']);
    const done = await waitForDelivery(app, item.id, 'tw-main', ['done']);
    expect(tweetPosts()).toBe(1);
    expect(fakes.twitter.timelinePageSizes).toEqual([10]);
    expect(fakes.twitter.postsRead).toBeLessThanOrEqual(4);
    expect(done.progress.xUsage).toEqual({ posts: 0, postsWithUrl: 0, postsRead: fakes.twitter.postsRead });
  });
});

describe('preview costs', () => {
  async function costOf(fields: Record<string, unknown>) {
    const res = await http.inject({
      method: 'POST',
      url: '/api/drafts/preview',
      headers: bearer,
      payload: { fields: { title: 'Shade for schools', summary: 'Trees on school routes.', ...fields } },
    });
    expect(res.statusCode).toBe(200);
    const post = (res.json().posts as Array<{ accountId: string; parts: string[]; cost: unknown }>).find(
      (p) => p.accountId === 'tw-main',
    )!;
    return { parts: post.parts, cost: post.cost as { usd: number; postsWithUrl: number; posts: number } };
  }

  it('text without a URL costs a plain post', async () => {
    const { cost } = await costOf({ url: '' });
    expect(cost).toMatchObject({ usd: 0.015, posts: 1, postsWithUrl: 0 });
  });

  it('text with a URL costs a post with URL', async () => {
    const { cost } = await costOf({ url: 'https://example.org/news/shade' });
    expect(cost).toMatchObject({ usd: 0.2, posts: 0, postsWithUrl: 1 });
  });

  it('a thread counts every part', async () => {
    const { parts, cost } = await costOf({
      url: 'https://example.org/news/shade',
      summary: THREAD_SUMMARY,
      thread: true,
    });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(cost.postsWithUrl).toBe(1);
    expect(cost.posts).toBe(parts.length - 1);
    expect(cost.usd).toBeCloseTo(0.2 + 0.015 * (parts.length - 1), 9);
  });
});
