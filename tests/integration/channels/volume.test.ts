// 100 items published at once to 2 accounts per platform: exactly 400 posts reach the platforms.
import { afterEach, describe, expect, it } from 'vitest';
import { createItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';
import { sampleItem, waitFor, type TestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/databases.js';
import { DEFAULT_FACEBOOK_PAGE } from '../../fakes/facebook.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../fakes/twitter.js';
import {
  SECOND_PAGE,
  SECOND_TWITTER,
  facebookAccount,
  startFakes,
  startSocialApp,
  twitterAccount,
  type Fakes,
} from '../../helpers/social.js';

const ITEMS = 100;

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`volume (${dialect})`, () => {
    let fakes: Fakes;
    let app: TestApp;
    afterEach(async () => {
      await app?.close();
      await fakes?.close();
    });

    it(
      `${ITEMS} items x 4 accounts: exactly ${ITEMS * 4} posts, each recorded on its delivery`,
      { timeout: 180_000 },
      async () => {
        fakes = await startFakes();
        app = await startSocialApp(dialect, [
          twitterAccount(fakes, 'tw-a'),
          twitterAccount(fakes, 'tw-b', SECOND_TWITTER),
          facebookAccount(fakes, 'fb-a'),
          facebookAccount(fakes, 'fb-b', SECOND_PAGE),
        ]);
        const ids: string[] = [];
        for (let i = 1; i <= ITEMS; i++)
          ids.push((await createItem(app.ctx.store, sampleItem(i), 'test')).id);
        app.startWorkers(['channel']);
        await Promise.all(ids.map((id) => requestPublish(app.ctx, id, { actor: 'test' })));

        const channel = () =>
          app.ctx.store.db.selectFrom('deliveries').selectAll().where('kind', '=', 'channel').execute();
        const rows = await waitFor(
          async () => {
            const all = await channel();
            return all.length === ITEMS * 4 && all.every((d) => d.status === 'done') ? all : null;
          },
          150_000,
          `${ITEMS * 4} deliveries done`,
        );
        await new Promise((r) => setTimeout(r, 500)); // nothing more arrives late

        const tweets = fakes.twitter.posts.filter((p) => !p.deleted);
        const fbPosts = fakes.facebook.posts.filter((p) => !p.deleted);
        expect(tweets.length + fbPosts.length).toBe(ITEMS * 4);
        for (const account of [DEFAULT_TWITTER_ACCOUNT.id, SECOND_TWITTER.id])
          expect(tweets.filter((t) => t.accountId === account)).toHaveLength(ITEMS);
        for (const page of [DEFAULT_FACEBOOK_PAGE.id, SECOND_PAGE.id])
          expect(fbPosts.filter((p) => p.pageId === page)).toHaveLength(ITEMS);
        // One post per item and account, and each delivery points at its own post.
        for (const page of [DEFAULT_FACEBOOK_PAGE.id, SECOND_PAGE.id])
          expect(new Set(fbPosts.filter((p) => p.pageId === page).map((p) => p.link)).size).toBe(ITEMS);
        const remote = rows.map((d) => d.remoteId).sort();
        expect(remote).toEqual([...tweets.map((t) => t.id), ...fbPosts.map((p) => p.id)].sort());
        expect(rows.every((d) => d.attempts === 1)).toBe(true);
      },
    );
  });
}
