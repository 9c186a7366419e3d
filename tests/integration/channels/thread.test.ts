// Threads are not atomic: a thread cut off half-way continues where it stopped, no tweet posted twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { twitterComposer } from '../../../src/channels/twitter/compose.js';
import { getItem } from '../../../src/store/items.js';
import { waitFor, type TestApp } from '../../helpers/app.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../fakes/twitter.js';
import {
  deliveryFor,
  publishItem,
  startFakes,
  THREAD_SUMMARY,
  startSocialApp,
  twitterAccount,
  waitForDelivery,
  type Fakes,
} from '../../helpers/social.js';

let fakes: Fakes;
let app: TestApp;
let n = 0;

beforeAll(async () => {
  fakes = await startFakes();
  app = await startSocialApp('sqlite', [twitterAccount(fakes, 'tw-main')], { delivery: { backoffMs: 200 } });
  app.startWorkers(['channel']);
});
afterAll(async () => {
  await app?.close();
  await fakes?.close();
});
afterEach(() => fakes.twitter.reset());

const tweetPosts = () => fakes.twitter.requests.filter((r) => r === 'POST /2/tweets').length;

async function threadItem() {
  const item = await publishItem(app, ++n, { summary: THREAD_SUMMARY, thread: true }, ['tw-main']);
  const parts = twitterComposer.compose(await getItem(app.ctx.store.db, item.id), { id: 'tw-main' }).parts;
  expect(parts.length).toBeGreaterThanOrEqual(3);
  return { item, parts };
}

/** The account's tweets form exactly the thread: each part once, in order, each replying to the one before. */
function expectWholeThread(parts: string[], tweetIds: unknown) {
  const tweets = fakes.twitter.posts.filter((t) => t.accountId === DEFAULT_TWITTER_ACCOUNT.id && !t.deleted);
  expect(tweets.map((t) => t.text)).toEqual(parts);
  tweets.forEach((t, i) => expect(t.replyTo).toBe(i === 0 ? null : tweets[i - 1]!.id));
  expect(tweetIds).toEqual(tweets.map((t) => t.id));
  return tweets;
}

describe('threads', () => {
  it('a 429 after tweet 2 waits for the reset and resumes at tweet 3', async () => {
    const resetAt = Math.ceil(Date.now() / 1000) + 3;
    fakes.twitter.inject({ kind: 'rate_limited', resetAt }, { route: 'POST /2/tweets', nth: 3 });
    const { item, parts } = await threadItem();
    const waiting = await waitFor(async () => {
      const d = await deliveryFor(app, item.id, 'tw-main');
      return d.errorKind === 'rate_limited' ? d : null;
    });
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0 });
    expect((waiting.progress.tweetIds as string[]).length).toBe(2);
    const done = await waitForDelivery(app, item.id, 'tw-main', ['done'], 15_000);
    const tweets = expectWholeThread(parts, done.progress.tweetIds);
    expect(done).toMatchObject({
      attempts: 1,
      remoteId: tweets[0]!.id,
      remoteUrl: `https://x.com/herald_test/status/${tweets[0]!.id}`,
    });
    expect(Date.parse(tweets[2]!.createdAt)).toBeGreaterThanOrEqual(resetAt * 1000);
    expect(Date.parse(tweets[1]!.createdAt)).toBeLessThan(resetAt * 1000);
    expect(tweetPosts()).toBe(parts.length + 1); // the refused one, and no part twice
  });

  it('tweet 2 accepted but its answer lost: the look-up finds it and the thread goes on at tweet 3', async () => {
    fakes.twitter.inject({ kind: 'drop_after_accept' }, { route: 'POST /2/tweets', nth: 2 });
    const { item, parts } = await threadItem();
    const done = await waitForDelivery(app, item.id, 'tw-main', ['done', 'failed'], 15_000);
    expect(done).toMatchObject({ status: 'done', attempts: 2 });
    expectWholeThread(parts, done.progress.tweetIds);
    // Tweet 2 was not sent again (not even to be refused as a duplicate).
    expect(tweetPosts()).toBe(parts.length);
    expect((await deliveryFor(app, item.id, 'tw-main')).lastError).toBeNull();
  });
});
