// A worker frozen after its image upload but before the post (SIGSTOP past the job lock) must not post once it
// wakes up if another worker has taken the delivery over and posted meanwhile: the adapter re-checks the claim
// right before the request that creates the post (PublishContext.beforeSend).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { sampleItem, waitFor, type TestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/databases.js';
import { linkedinAccount } from '../../helpers/linkedin.js';
import { deliveryFor, startSocialApp } from '../../helpers/social.js';
import { startFakeLinkedIn, type FakeLinkedIn } from '../../fakes/linkedin.js';
import { createItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';
import { makeDeliveryProcessor } from '../../../src/queues/deliver.js';
import { channelHandler } from '../../../src/queues/channel-handler.js';
import { getDelivery } from '../../../src/store/deliveries.js';

const UPLOAD = 'PUT /upload/images/';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`a worker frozen between the image upload and the post (${dialect})`, () => {
    let fake: FakeLinkedIn;
    let app: TestApp;
    beforeAll(async () => {
      fake = await startFakeLinkedIn();
      // No workers: each "worker" below is a delivery processor run by hand, so the interleaving is exact.
      app = await startSocialApp(dialect, [linkedinAccount(fake, 'li-main')]);
    });
    afterAll(async () => {
      await app?.close();
      await fake?.close();
    });

    const worker = () =>
      makeDeliveryProcessor({
        store: app.ctx.store,
        gate: app.ctx.gate,
        log: app.ctx.log,
        handlers: { channel: channelHandler(app.ctx) },
        backoffMs: 100,
        lockMs: app.ctx.config.delivery.lockMs,
      });
    const job = (deliveryId: string) =>
      ({ data: { deliveryId }, opts: { attempts: 3 }, attemptsMade: 0 }) as unknown as Job;

    it('posts once: the worker that took over posts, the one that wakes up stops', async () => {
      const withImage = sampleItem(1, { imageUrl: fake.imageUrl, imageAlt: 'A square' });
      const item = await createItem(app.ctx.store, withImage, 'test', { allowPrivateUrls: true });
      await requestPublish(app.ctx, item.id, { actor: 'test', channels: ['li-main'] });
      const { id } = await deliveryFor(app, item.id, 'li-main');
      let thaw!: () => void;
      fake.inject({ kind: 'held', release: new Promise<void>((r) => (thaw = r)) }, { route: UPLOAD });

      // The first worker claims the delivery, uploads the image and freezes before it sees the answer.
      const first = worker()(job(id), 'lock-of-the-first');
      await waitFor(async () => fake.requests.some((r) => r.startsWith(UPLOAD)), 10_000, 'the first upload');

      // Its lock expired meanwhile: another worker claims the delivery, finds no post and posts.
      expect(await worker()(job(id), 'lock-of-the-second')).toMatchObject({ remoteId: expect.any(String) });
      expect(fake.posts).toHaveLength(1);

      // The first worker wakes up with its upload done and goes on towards the post.
      thaw();
      expect(await first).toEqual({ skipped: 'taken over' });
      expect(fake.requests.filter((r) => r.startsWith(UPLOAD))).toHaveLength(2);
      expect(fake.posts).toHaveLength(1);
      expect(await getDelivery(app.ctx.store.db, id)).toMatchObject({
        status: 'done',
        attempts: 2,
        remoteId: fake.posts[0]!.id,
      });
    });
  });
}
