import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRouteServer, type Handler, type RouteServer } from '../../helpers/route-server.js';
import { ChannelError } from '../../../src/channels/adapter.js';
import { fetchImage } from '../../../src/channels/fetch-image.js';
import type { ImageFetchPolicy } from '../../../src/channels/fetch-image.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const routes = new Map<string, Handler>();
const requests: string[] = [];
let server: RouteServer;
let port: number;
let base: string;

beforeAll(async () => {
  server = await startRouteServer(routes, (req) => requests.push(req.url ?? ''));
  port = server.port;
  base = server.base;
});
afterAll(() => server.close());
beforeEach(() => {
  routes.clear();
  requests.length = 0;
  routes.set('/a.png', (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
});

const LIMITS = { timeoutMs: 2_000, maxBytes: 1024 };
const toLocalhost: ImageFetchPolicy['resolveHost'] = async () => [{ address: '127.0.0.1', family: 4 }];

async function failure(url: string, policy: ImageFetchPolicy = {}): Promise<ChannelError> {
  const error = await fetchImage(url, { ...LIMITS, ...policy }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

describe('fetchImage refuses internal addresses (permanent, in plain words, before connecting)', () => {
  it.each([
    ['http://10.0.0.1/a.png', '10.0.0.1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[::1]:PORT/a.png', '::1'],
    ['http://2130706433:PORT/a.png', '127.0.0.1'],
    ['http://127.0.0.1:PORT/a.png', '127.0.0.1'],
  ])('%s', async (url, address) => {
    const error = await failure(url.replace('PORT', String(port)));
    expect(error).toMatchObject({
      kind: 'permanent',
      platformCode: 'image_blocked',
      message: `imageUrl points at a private or loopback address (${address}); Herald does not fetch those.`,
    });
    expect(requests).toEqual([]);
  });

  it('a host name that resolves to a private address', async () => {
    const error = await failure(`http://images.example.test:${port}/a.png`, { resolveHost: toLocalhost });
    expect(error.message).toBe(
      'imageUrl points at a private or loopback address (images.example.test is 127.0.0.1); Herald does not fetch those.',
    );
    expect(requests).toEqual([]);
  });

  it('a redirect to a private address or to a name that resolves to one', async () => {
    routes.set('/to-metadata', (_req, res) =>
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    );
    routes.set('/to-name', (_req, res) =>
      res.writeHead(301, { location: 'http://internal.example.test/a.png' }).end(),
    );
    const onlyThisServer = { allowAddresses: ['127.0.0.1'] };
    expect(await failure(`${base}/to-metadata`, onlyThisServer)).toMatchObject({
      kind: 'permanent',
      message:
        'imageUrl redirects to a private or loopback address (169.254.169.254); Herald does not fetch those.',
    });
    const viaName = await failure(`${base}/to-name`, {
      ...onlyThisServer,
      resolveHost: async () => [{ address: '10.0.0.5', family: 4 }],
    });
    expect(viaName.message).toBe(
      'imageUrl redirects to a private or loopback address (internal.example.test is 10.0.0.5); Herald does not fetch those.',
    );
    expect(requests).toEqual(['/to-metadata', '/to-name']);
  });

  it('fetches them when the installation allows private addresses', async () => {
    expect(
      await fetchImage(`http://images.example.test:${port}/a.png`, {
        ...LIMITS,
        allowPrivate: true,
        resolveHost: toLocalhost,
      }),
    ).toEqual({ bytes: PNG, type: 'image/png' });
  });
});

describe('fetchImage failures', () => {
  const allow = { allowPrivate: true };

  it.each([
    ['/missing.png', 404, 'permanent'],
    ['/gone.png', 410, 'permanent'],
    ['/busy.png', 503, 'transient'],
    ['/limited.png', 429, 'transient'],
  ] as const)('%s answering HTTP %i is %s', async (path, status, kind) => {
    routes.set(path, (_req, res) => res.writeHead(status).end());
    expect(await failure(`${base}${path}`, allow)).toMatchObject({
      kind,
      message: `Could not download the item's image (HTTP ${status}): check the image URL.`,
    });
  });

  it('refuses what is not a picture, and a picture over the limit', async () => {
    routes.set('/page', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    routes.set('/big.png', (_req, res) =>
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(2048)),
    );
    expect(await failure(`${base}/page`, allow)).toMatchObject({
      kind: 'permanent',
      platformCode: 'image_type',
      message:
        'The item\'s image is not a JPEG, PNG, GIF or WebP picture (content type "text/html" is not accepted).',
    });
    expect(await failure(`${base}/big.png`, allow)).toMatchObject({
      kind: 'permanent',
      platformCode: 'image_size',
    });
  });

  it('tries again later after a timeout or a refused connection', async () => {
    routes.set('/slow.png', () => undefined);
    expect(
      await fetchImage(`${base}/slow.png`, { ...LIMITS, ...allow, timeoutMs: 200 }).catch((e: unknown) => e),
    ).toMatchObject({
      kind: 'transient',
      message: "Could not download the item's image (timed out after 0.2 s): will try again.",
    });
    expect(await failure('http://127.0.0.1:9/a.png', allow)).toMatchObject({ kind: 'transient' });
  });

  it('refuses a URL that is not http(s) and too many redirects', async () => {
    routes.set('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    expect(await failure('file:///etc/passwd', allow)).toMatchObject({
      kind: 'permanent',
      platformCode: 'image_url',
    });
    expect(await failure(`${base}/loop`, allow)).toMatchObject({
      kind: 'permanent',
      message: "Could not download the item's image: too many redirects (more than 3). Check the image URL.",
    });
  });
});
