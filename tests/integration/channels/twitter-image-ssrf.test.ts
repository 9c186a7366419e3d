// The Twitter adapter downloads an item's image through safeFetch: the address is checked after DNS
// resolution and after every redirect. Against the Twitter fake: a refused image is a permanent failure
// and the platform receives nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../../src/channels/adapter.js';
import { TwitterChannel } from '../../../src/channels/twitter/adapter.js';
import type { ImageFetchPolicy } from '../../../src/channels/fetch-image.js';
import { DEFAULT_TWITTER_ACCOUNT, startFakeTwitter, type FakeTwitter } from '../../fakes/twitter.js';
import { testAccount, testContext, testDelivery, testItem } from '../../helpers/channel-fixtures.js';

let fake: FakeTwitter;
let redirector: Server;
let redirectBase: string;
const redirects: string[] = [];

beforeAll(async () => {
  fake = await startFakeTwitter();
  // A site that answers an image request with a redirect to an internal address.
  redirector = createServer((req, res) => {
    redirects.push(req.url ?? '');
    const to =
      req.url === '/to-name.png'
        ? 'http://internal.example.test/x.png'
        : 'http://169.254.169.254/latest/meta-data/';
    res.writeHead(302, { location: to }).end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  redirectBase = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fake.close();
  redirector.closeAllConnections();
  await new Promise((resolve) => redirector.close(resolve));
});
beforeEach(() => {
  fake.reset();
  redirects.length = 0;
});

const account = testAccount('twitter');
const credentials = {
  kind: 'oauth1',
  appKey: 'fake-app-key-0001',
  appSecret: 'fake-app-secret-0001',
  accessToken: DEFAULT_TWITTER_ACCOUNT.accessToken,
  accessSecret: 'fake-access-secret-0001',
} as const;
const PUBLIC_LOOKING = 'images.example.test';
const resolveHost: ImageFetchPolicy['resolveHost'] = async (host) => [
  { address: host === PUBLIC_LOOKING ? '127.0.0.1' : '10.0.0.5', family: 4 },
];

async function publishWith(imageUrl: string, imageFetch: ImageFetchPolicy | undefined) {
  const channel = new TwitterChannel({
    apiUrl: fake.url,
    timeoutMs: 2_000,
    accounts: () => ({ credentials }),
    imageFetch,
  });
  const item = testItem({ imageUrl, imageAlt: 'A bike lane' });
  const { ctx } = testContext(
    channel.compose(item, account),
    item,
    account,
    testDelivery({ target: account.id }),
  );
  return channel.publish(ctx).then(
    () => null,
    (e: unknown) => e,
  );
}

const platformRequests = () =>
  fake.requests.filter(
    (r) => r.includes('/__fixtures/') || r.includes('/media/upload') || r.includes('POST /2/tweets'),
  );

describe('Twitter image download and internal addresses', () => {
  it('refuses by default an image on a loopback address, with nothing sent to Twitter', async () => {
    const error = await publishWith(fake.imageUrl, undefined);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({
      kind: 'permanent',
      message: 'imageUrl points at a private or loopback address (127.0.0.1); Herald does not fetch those.',
    });
    expect(platformRequests()).toEqual([]);
  });

  it('refuses a public-looking host name that resolves to a loopback address', async () => {
    const error = await publishWith(fake.imageUrl.replace('127.0.0.1', PUBLIC_LOOKING), { resolveHost });
    expect(error).toMatchObject({
      kind: 'permanent',
      message: `imageUrl points at a private or loopback address (${PUBLIC_LOOKING} is 127.0.0.1); Herald does not fetch those.`,
    });
    expect(platformRequests()).toEqual([]);
    expect(fake.posts).toEqual([]);
  });

  it('refuses a redirect to an internal address, or to a name that resolves to one', async () => {
    const onlyTheRedirector = { allowAddresses: ['127.0.0.1'], resolveHost };
    expect(await publishWith(`${redirectBase}/photo.png`, onlyTheRedirector)).toMatchObject({
      kind: 'permanent',
      message:
        'imageUrl redirects to a private or loopback address (169.254.169.254); Herald does not fetch those.',
    });
    expect(await publishWith(`${redirectBase}/to-name.png`, onlyTheRedirector)).toMatchObject({
      kind: 'permanent',
      message:
        'imageUrl redirects to a private or loopback address (internal.example.test is 10.0.0.5); Herald does not fetch those.',
    });
    expect(redirects).toEqual(['/photo.png', '/to-name.png']);
    expect(platformRequests()).toEqual([]);
  });

  it('uploads the same image when private addresses are allowed', async () => {
    expect(
      await publishWith(fake.imageUrl.replace('127.0.0.1', PUBLIC_LOOKING), {
        allowPrivate: true,
        resolveHost,
      }),
    ).toBeNull();
    expect(fake.media.size).toBe(1);
    expect(fake.posts).toHaveLength(1);
  });
});
