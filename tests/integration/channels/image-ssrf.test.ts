// An item's image is downloaded by Herald itself (for the Twitter upload): an address that is private,
// loopback or link-local (directly, through a host name, or after a redirect) is refused at fetch time,
// whatever got the item in. The delivery fails for good with the reason; nothing reaches the platform.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';
import { sampleItem, startTestApp, type TestApp } from '../../helpers/app.js';
import { startFakeTwitter, type FakeTwitter } from '../../fakes/twitter.js';
import {
  SECRET_KEY,
  deliveryFor,
  twitterAccount,
  waitForDelivery,
  type Fakes,
} from '../../helpers/social.js';

const PUBLIC_LOOKING = 'images.example.test';

let twitter: FakeTwitter;
let app: TestApp;
let n = 0;

const imageRequests = () =>
  twitter.requests.filter((r) => r.includes('/__fixtures/') || r.includes('/media/upload'));

beforeAll(async () => {
  twitter = await startFakeTwitter();
  const account = twitterAccount({ twitter } as Fakes, 'tw-main');
  app = await startTestApp(
    'sqlite',
    {
      secretKey: SECRET_KEY,
      allowPrivateUrls: false,
      delivery: { attempts: 3, backoffMs: 100 },
      channels: { timeoutMs: 2_000, accounts: [account] },
    },
    // A name that looks public but resolves to the fake's own loopback address (as 127.0.0.1.nip.io would).
    {
      resolveImageHost: async (host) =>
        host === PUBLIC_LOOKING ? [{ address: '127.0.0.1', family: 4 }] : [],
    },
  );
  app.startWorkers(['channel', 'publish']);
});

afterAll(async () => {
  await app?.close();
  await twitter?.close();
});

/** Stores the item (with `allowPrivateUrls`: as if saved while private addresses were allowed) and publishes it to Twitter. */
async function publishWithImage(imageUrl: string, allowPrivateUrls: boolean) {
  const item = await createItem(
    app.ctx.store,
    sampleItem(++n, { imageUrl, imageAlt: 'A bike lane' }),
    'test',
    { allowPrivateUrls },
  );
  await requestPublish(app.ctx, item.id, { actor: 'test', channels: ['tw-main'] });
  return item;
}

async function expectRefused(itemId: string, reason: string) {
  const failed = await waitForDelivery(app, itemId, 'tw-main', ['failed', 'done']);
  expect(failed).toMatchObject({ status: 'failed', errorKind: 'permanent', attempts: 1, lastError: reason });
  await new Promise((r) => setTimeout(r, 400)); // longer than the retry backoff: no second attempt
  expect(await deliveryFor(app, itemId, 'tw-main')).toMatchObject({ status: 'failed', attempts: 1 });
  expect(imageRequests()).toEqual([]);
  expect(twitter.posts).toEqual([]);
}

describe('item images on internal addresses (allowPrivateUrls off)', () => {
  it('an imageUrl on a loopback address is refused (permanent failure, no upload, no tweet)', async () => {
    const item = await publishWithImage(twitter.imageUrl, true);
    await expectRefused(
      item.id,
      'imageUrl points at a private or loopback address (127.0.0.1); Herald does not fetch those.',
    );
  });

  it('an imageUrl whose host name resolves to a loopback address is refused', async () => {
    const imageUrl = twitter.imageUrl.replace('127.0.0.1', PUBLIC_LOOKING);
    const item = await publishWithImage(imageUrl, false); // a host name passes validation
    await expectRefused(
      item.id,
      `imageUrl points at a private or loopback address (${PUBLIC_LOOKING} is 127.0.0.1); Herald does not fetch those.`,
    );
  });
});
