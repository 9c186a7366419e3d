// Withdrawing deletes the posts when asked; editing a published item edits the Facebook post, not the tweets.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { editItem } from '../../../src/app/items.js';
import { requestPublish, withdraw } from '../../../src/app/publishing.js';
import type { TestApp } from '../../helpers/app.js';
import { DEFAULT_FACEBOOK_PAGE } from '../../fakes/facebook.js';
import {
  deliveriesOf,
  facebookAccount,
  publishItem,
  startFakes,
  startSocialApp,
  twitterAccount,
  waitForDelivery,
  type Fakes,
} from '../../helpers/social.js';

const SUMMARY =
  'Mayors of 130 member cities met in Lyon for three days of talks on heat, water and transport. They agreed to plant shade trees along every school route by 2030, to publish heat maps each spring, and to share a fund for water fountains in poorer districts.';

let fakes: Fakes;
let app: TestApp;
let n = 0;

beforeAll(async () => {
  fakes = await startFakes();
  app = await startSocialApp('sqlite', [twitterAccount(fakes, 'tw-main'), facebookAccount(fakes, 'fb-main')]);
  app.startWorkers(['channel']);
});
afterAll(async () => {
  await app?.close();
  await fakes?.close();
});
afterEach(() => {
  fakes.twitter.reset();
  fakes.facebook.reset();
});

async function publishedItem(extra: Record<string, unknown> = {}) {
  const item = await publishItem(app, ++n, { summary: SUMMARY, ...extra });
  const tw = await waitForDelivery(app, item.id, 'tw-main', ['done']);
  const fb = await waitForDelivery(app, item.id, 'fb-main', ['done']);
  return { item, tw, fb };
}

describe('withdraw', () => {
  it('with deletePosts: every tweet of the thread and the Facebook post are deleted', async () => {
    const { item, tw, fb } = await publishedItem({ thread: true });
    const tweetIds = tw.progress.tweetIds as string[];
    expect(tweetIds.length).toBeGreaterThanOrEqual(2);
    await withdraw(app.ctx, item.id, { deletePosts: true, actor: 'test' });
    await waitForDelivery(app, item.id, 'tw-main', ['done'], 15_000, 'delete');
    await waitForDelivery(app, item.id, 'fb-main', ['done'], 15_000, 'delete');
    expect(fakes.twitter.posts.filter((t) => tweetIds.includes(t.id)).every((t) => t.deleted)).toBe(true);
    expect(fakes.twitter.posts.filter((t) => !t.deleted)).toHaveLength(0);
    // Replies first, then the thread's head.
    const deletes = fakes.twitter.requests.filter((r) => r.startsWith('DELETE /2/tweets/'));
    expect(deletes).toEqual([...tweetIds].reverse().map((id) => `DELETE /2/tweets/${id}`));
    expect(fakes.facebook.posts.find((p) => p.id === fb.remoteId)!.deleted).toBe(true);
  });

  it('without deletePosts: the posts stay', async () => {
    const { item } = await publishedItem();
    await withdraw(app.ctx, item.id, { deletePosts: false, actor: 'test' });
    await new Promise((r) => setTimeout(r, 500));
    expect(
      (await deliveriesOf(app, item.id)).filter((d) => d.kind === 'channel' && d.action === 'delete'),
    ).toHaveLength(0);
    expect(fakes.twitter.posts.filter((t) => !t.deleted)).toHaveLength(1);
    expect(fakes.facebook.posts.filter((p) => !p.deleted)).toHaveLength(1);
  });
});

describe('edit a published item and publish again', () => {
  it('edits the Facebook post and leaves Twitter alone', async () => {
    const { item, fb } = await publishedItem();
    const twitterRequests = fakes.twitter.requests.length;
    const { item: edited } = await editItem(
      app.ctx.store,
      item.id,
      { summary: 'Corrected: 131 member cities met in Lyon.' },
      'test',
    );
    await requestPublish(app.ctx, item.id, { actor: 'test' });
    const update = await waitForDelivery(app, item.id, 'fb-main', ['done'], 15_000, 'update');
    expect(update).toMatchObject({
      revision: edited.revision,
      remoteId: fb.remoteId,
      remoteUrl: fb.remoteUrl,
    });
    const post = fakes.facebook.posts.find((p) => p.id === fb.remoteId)!;
    expect(post.edits).toHaveLength(1);
    expect(post.message).toContain('Corrected: 131 member cities met in Lyon.');
    expect(fakes.facebook.posts.filter((p) => p.pageId === DEFAULT_FACEBOOK_PAGE.id)).toHaveLength(1);
    // No delivery for Twitter in the new revision, and not one request to it.
    const revision2 = (await deliveriesOf(app, item.id)).filter(
      (d) => d.kind === 'channel' && d.revision === edited.revision,
    );
    expect(revision2.map((d) => `${d.target}:${d.action}`)).toEqual(['fb-main:update']);
    await new Promise((r) => setTimeout(r, 300));
    expect(fakes.twitter.requests.length).toBe(twitterRequests);
  });
});
