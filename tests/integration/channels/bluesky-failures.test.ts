// The failure table of issue 3, Bluesky's rows, through real BullMQ workers against the PDS fake.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findAccount, setAccountState } from '../../../src/store/accounts.js';
import { DEFAULT_BLUESKY_ACCOUNT, startFakeBluesky, type FakeBluesky } from '../../fakes/bluesky.js';
import { waitFor, type TestApp } from '../../helpers/app.js';
import { deliveryFor, publishItem, startSocialApp, waitForDelivery } from '../../helpers/social.js';

const ATTEMPTS = 3;
const WRONG_PASSWORD = 'wrong-pass-word-0001';

let fake: FakeBluesky;
let app: TestApp;
let n = 0;

beforeAll(async () => {
  fake = await startFakeBluesky();
  const credentials = {
    identifier: DEFAULT_BLUESKY_ACCOUNT.handle,
    appPassword: DEFAULT_BLUESKY_ACCOUNT.password,
  };
  app = await startSocialApp(
    'sqlite',
    [
      { id: 'bs-main', platform: 'bluesky', apiUrl: fake.url, credentials },
      {
        id: 'bs-wrong',
        platform: 'bluesky',
        apiUrl: fake.url,
        credentials: { ...credentials, appPassword: WRONG_PASSWORD },
      },
    ],
    { delivery: { attempts: ATTEMPTS, backoffMs: 300 } },
  );
  app.startWorkers(['channel']);
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
});

afterEach(async () => {
  const rows = await app.ctx.store.db.selectFrom('deliveries').select(['lastError']).execute();
  for (const row of rows) {
    expect(row.lastError ?? '').not.toContain(DEFAULT_BLUESKY_ACCOUNT.password);
    expect(row.lastError ?? '').not.toContain(WRONG_PASSWORD);
  }
  await setAccountState(app.ctx.store.db, 'bs-main', 'ok', null);
});

describe('Bluesky', () => {
  it('keeps one session, encrypted in the database, for every post', async () => {
    const before = fake.sessionsCreated;
    const items = [
      await publishItem(app, ++n, {}, ['bs-main']),
      await publishItem(app, ++n, {}, ['bs-main']),
    ];
    for (const item of items) await waitForDelivery(app, item.id, 'bs-main', ['done']);
    expect(fake.sessionsCreated - before).toBeLessThanOrEqual(1);
    const stored = (await app.ctx.store.db
      .selectFrom('channelAccounts')
      .select('credentials')
      .where('id', '=', 'bs-main')
      .executeTakeFirst())!.credentials!;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('acc.');
    expect(stored).not.toContain(DEFAULT_BLUESKY_ACCOUNT.did);
  });

  it('429 with ratelimit-reset: waits for the reset without using an attempt', async () => {
    const seconds = 4;
    fake.inject({ kind: 'rate_limited', seconds }, { method: 'createRecord' });
    const before = Date.now();
    const item = await publishItem(app, ++n, {}, ['bs-main']);
    const limited = await waitFor(async () => {
      const d = await deliveryFor(app, item.id, 'bs-main');
      return d.errorKind === 'rate_limited' ? d : null;
    });
    expect(limited).toMatchObject({ status: 'pending', attempts: 0 });
    expect(limited.lastError).toMatch(/^Bluesky rate limit: will post at \d\d:\d\d UTC/);
    expect(Date.parse(limited.nextAttemptAt!)).toBeGreaterThanOrEqual(before + (seconds - 1) * 1000);
    const done = await waitForDelivery(app, item.id, 'bs-main', ['done']);
    expect(done.attempts).toBe(1);
    expect(fake.posts.filter((p) => p.uri === done.remoteId)).toHaveLength(1);
  });

  it('write points run out: waits for ratelimit-reset without sending the post (no 429), then posts', async () => {
    const seconds = 4;
    fake.setWritePoints(3, seconds); // the next post spends them all
    const first = await publishItem(app, ++n, {}, ['bs-main']);
    await waitForDelivery(app, first.id, 'bs-main', ['done']);
    const posts = fake.posts.length;
    const item = await publishItem(app, ++n, {}, ['bs-main']);
    const limited = await waitFor(async () => {
      const d = await deliveryFor(app, item.id, 'bs-main');
      return d.errorKind === 'rate_limited' ? d : null;
    });
    expect(limited).toMatchObject({ status: 'pending', attempts: 0 });
    expect(fake.posts.length).toBe(posts);
    const done = await waitForDelivery(app, item.id, 'bs-main', ['done']);
    expect(done.attempts).toBe(1);
    expect(fake.posts.length).toBe(posts + 1);
    expect(fake.rateLimitRefusals).toBe(0);
  });

  it('a 502 twice, then accepted: one post, third attempt', async () => {
    fake.inject({ kind: 'server_error', status: 502 }, { method: 'createRecord', times: 2 });
    const item = await publishItem(app, ++n, {}, ['bs-main']);
    const done = await waitForDelivery(app, item.id, 'bs-main', ['done']);
    expect(done.attempts).toBe(3);
    expect(fake.posts.filter((p) => p.uri === done.remoteId)).toHaveLength(1);
  });

  it('an expired access token: refreshSession, then posted in the same attempt', async () => {
    const [sessions, refreshes] = [fake.sessionsCreated, fake.refreshes];
    fake.expireAccessTokens();
    const item = await publishItem(app, ++n, {}, ['bs-main']);
    const done = await waitForDelivery(app, item.id, 'bs-main', ['done']);
    expect(done.attempts).toBe(1);
    expect(fake.refreshes - refreshes).toBe(1);
    expect(fake.sessionsCreated).toBe(sessions);
  });

  it('the connection lost after the PDS accepted: the post is found by its record key, not posted again', async () => {
    fake.inject({ kind: 'drop_after_accept' }, { method: 'createRecord' });
    fake.inject({ kind: 'drop' }, { method: 'getRecord' });
    const count = fake.posts.length;
    const item = await publishItem(app, ++n, {}, ['bs-main']);
    const done = await waitForDelivery(app, item.id, 'bs-main', ['done']);
    expect(fake.posts.length - count).toBe(1);
    expect(done.remoteId).toBe(fake.posts.at(-1)!.uri);
  });

  it('a wrong app password: failed at once, the account needs reconnecting, words name the setting', async () => {
    const item = await publishItem(app, ++n, {}, ['bs-wrong']);
    const failed = await waitForDelivery(app, item.id, 'bs-wrong', ['failed']);
    expect(failed).toMatchObject({ errorKind: 'auth', attempts: 1 });
    expect(failed.lastError).toContain('BLUESKY_APP_PASSWORD');
    expect((await findAccount(app.ctx.store.db, 'bs-wrong'))!.state).toBe('needs_reconnect');
  });

  it('a text over 300 graphemes: failed without retry, in plain words', async () => {
    const long = 'é'.repeat(301);
    const item = await publishItem(app, ++n, { channelTexts: { bluesky: long } }, ['bs-main']);
    const failed = await waitForDelivery(app, item.id, 'bs-main', ['failed']);
    expect(failed).toMatchObject({ errorKind: 'permanent', attempts: 1 });
    expect(failed.lastError).toContain('301 characters as Bluesky counts them (limit 300)');
  });
});
