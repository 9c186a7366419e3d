import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRouteServer, type Handler, type RouteServer } from '../../helpers/route-server.js';
import { FetchError, decodeBody, safeFetch, safeFetchBytes } from '../../../src/net/safe-fetch.js';
import type { SafeFetchOptions } from '../../../src/net/safe-fetch.js';

const routes = new Map<string, Handler>();
const requests: IncomingMessage[] = [];
let server: RouteServer;
let base: string;
let port: number;

beforeAll(async () => {
  server = await startRouteServer(routes, (req) => requests.push(req));
  port = server.port;
  base = server.base;
});
afterAll(() => server.close());
beforeEach(() => {
  requests.length = 0;
  routes.clear();
});

const local: SafeFetchOptions = { allowPrivate: true };

async function fetchError(url: string, options: SafeFetchOptions): Promise<FetchError> {
  const error = await safeFetch(url, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  return error as FetchError;
}

describe('safeFetch against a local server', () => {
  it('returns the body, validators and final URL of a 200', async () => {
    routes.set('/feed', (_req, res) =>
      res
        .writeHead(200, {
          'content-type': 'application/rss+xml; charset=utf-8',
          etag: '"v1"',
          'last-modified': 'Mon, 02 Mar 2026 14:05:00 GMT',
        })
        .end('<rss>é</rss>'),
    );
    const result = await safeFetch(`${base}/feed`, local);
    expect(result).toEqual({
      notModified: false,
      status: 200,
      body: '<rss>é</rss>',
      contentType: 'application/rss+xml; charset=utf-8',
      contentLength: null, // sent chunked, without Content-Length
      etag: '"v1"',
      lastModified: 'Mon, 02 Mar 2026 14:05:00 GMT',
      finalUrl: `${base}/feed`,
    });
  });

  it('HEAD: the type and length without the body, whatever its size', async () => {
    const methods: string[] = [];
    routes.set('/big.png', (req, res) => {
      methods.push(req.method ?? '');
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': 50_000_000 }).end();
    });
    const result = await safeFetchBytes(`${base}/big.png`, { ...local, method: 'HEAD' });
    expect(result).toMatchObject({ status: 200, contentType: 'image/png', contentLength: 50_000_000 });
    expect(methods).toEqual(['HEAD']);
  });

  it('sends conditional headers and reports a 304', async () => {
    routes.set('/feed', (req, res) => {
      if (
        req.headers['if-none-match'] === '"v1"' &&
        req.headers['if-modified-since'] === 'Mon, 02 Mar 2026 14:05:00 GMT'
      ) {
        res.writeHead(304, { etag: '"v1"' }).end();
      } else res.writeHead(200).end('full');
    });
    const result = await safeFetch(`${base}/feed`, {
      ...local,
      etag: '"v1"',
      lastModified: 'Mon, 02 Mar 2026 14:05:00 GMT',
    });
    expect(result).toEqual({
      notModified: true,
      status: 304,
      finalUrl: `${base}/feed`,
      etag: '"v1"',
      lastModified: null,
    });
  });

  it('reports a 500 plainly', async () => {
    routes.set('/feed', (_req, res) => res.writeHead(500).end('boom'));
    const error = await fetchError(`${base}/feed`, local);
    expect(error).toMatchObject({ kind: 'http', reason: 'HTTP 500 from the source', status: 500 });
  });

  it('times out a server that never answers', async () => {
    routes.set('/slow', () => undefined);
    const started = Date.now();
    const error = await fetchError(`${base}/slow`, { ...local, timeoutMs: 300 });
    expect(error).toMatchObject({ kind: 'timeout', reason: 'timed out after 0.3 s' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('times out a body that trickles forever', async () => {
    routes.set('/trickle', (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    expect(await fetchError(`${base}/trickle`, { ...local, timeoutMs: 400 })).toMatchObject({
      kind: 'timeout',
    });
  });

  it('follows up to 3 redirects and stops a redirect loop', async () => {
    routes.set('/r1', (_req, res) => res.writeHead(301, { location: '/r2' }).end());
    routes.set('/r2', (_req, res) => res.writeHead(302, { location: `${base}/r3` }).end());
    routes.set('/r3', (_req, res) => res.writeHead(307, { location: 'final' }).end());
    routes.set('/final', (_req, res) => res.writeHead(200).end('done'));
    expect(await safeFetch(`${base}/r1`, local)).toMatchObject({
      status: 200,
      body: 'done',
      finalUrl: `${base}/final`,
    });

    routes.set('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    requests.length = 0;
    const error = await fetchError(`${base}/loop`, local);
    expect(error).toMatchObject({ kind: 'redirect', reason: 'too many redirects (more than 3)' });
    expect(requests).toHaveLength(4);
  });

  it('re-checks every redirect target', async () => {
    const onlyThisServer: SafeFetchOptions = { allowAddresses: ['127.0.0.1'] };
    routes.set('/feed', (_req, res) => res.writeHead(200).end('ok'));
    expect(await safeFetch(`${base}/feed`, onlyThisServer)).toMatchObject({ status: 200 });
    routes.set('/to-metadata', (_req, res) =>
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    );
    expect(await fetchError(`${base}/to-metadata`, onlyThisServer)).toMatchObject({
      kind: 'blocked',
      reason: 'address 169.254.169.254 is link-local',
      url: 'http://169.254.169.254/latest/meta-data/',
    });
    routes.set('/to-name', (_req, res) =>
      res.writeHead(302, { location: `http://internal.example.test:${port}/feed` }).end(),
    );
    const viaName = await fetchError(`${base}/to-name`, {
      ...onlyThisServer,
      resolveHost: async () => [{ address: '10.0.0.7', family: 4 }],
    });
    expect(viaName.reason).toBe('address 10.0.0.7 (of internal.example.test) is private');
  });

  it('refuses a redirect to another scheme', async () => {
    routes.set('/to-file', (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
    expect(await fetchError(`${base}/to-file`, local)).toMatchObject({
      kind: 'invalid-url',
      reason: 'only http and https URLs can be fetched (got file:)',
    });
  });

  it('refuses a response over the size cap, declared or not', async () => {
    routes.set('/big', (_req, res) =>
      res.writeHead(200, { 'content-length': String(2048) }).end('x'.repeat(2048)),
    );
    routes.set('/chunked', (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 10; i++) res.write('y'.repeat(512));
      res.end();
    });
    expect(await fetchError(`${base}/big`, { ...local, maxBytes: 1024 })).toMatchObject({
      kind: 'too-large',
      reason: 'response larger than 1 kB',
    });
    expect(await fetchError(`${base}/chunked`, { ...local, maxBytes: 1024 })).toMatchObject({
      kind: 'too-large',
    });
    routes.set('/six', (_req, res) => res.writeHead(200).end(Buffer.alloc(5 * 1024 * 1024 + 1, 0x20)));
    expect(await fetchError(`${base}/six`, local)).toMatchObject({ reason: 'response larger than 5 MB' });
  });

  it('connects to the checked address, not to a fresh DNS answer', async () => {
    routes.set('/feed', (req, res) => res.writeHead(200).end(`host=${req.headers.host}`));
    let lookups = 0;
    const result = await safeFetch(`http://pinned.example.test:${port}/feed`, {
      allowPrivate: true,
      resolveHost: async () => {
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    expect(result).toMatchObject({ status: 200, body: `host=pinned.example.test:${port}` });
    expect(lookups).toBe(1); // the name did not go to the system resolver (it would not resolve)
  });
});

describe('safeFetch address checks (no allowPrivate)', () => {
  it.each([
    ['http://127.0.0.1:PORT/feed', 'address 127.0.0.1 is loopback'],
    ['http://10.1.2.3/feed', 'address 10.1.2.3 is private'],
    ['http://169.254.169.254/latest/meta-data/', 'address 169.254.169.254 is link-local'],
    ['http://[::1]:PORT/feed', 'address ::1 is loopback'],
    ['http://[::ffff:10.0.0.1]/', 'address ::ffff:a00:1 is private'],
    ['http://localhost:PORT/feed', 'of localhost) is loopback'],
    ['http://0.0.0.0:PORT/', 'address 0.0.0.0 is unspecified'],
    ['http://2130706433:PORT/feed', 'address 127.0.0.1 is loopback'], // decimal form, normalised by the URL parser
    ['http://0x7f.1:PORT/feed', 'address 127.0.0.1 is loopback'],
    ['http://[::ffff:127.0.0.1]:PORT/feed', 'is loopback'],
  ])('refuses %s before connecting', async (url, reason) => {
    routes.set('/feed', (_req, res) => res.writeHead(200).end('must not be reached'));
    const error = await fetchError(url.replace('PORT', String(port)), { timeoutMs: 2_000 });
    expect(error.kind).toBe('blocked');
    expect(error.reason).toContain(reason);
    expect(requests).toHaveLength(0);
  });

  it('refuses a host name when any of its addresses is private', async () => {
    const error = await fetchError('http://mixed.example.test/', {
      resolveHost: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '192.168.1.10', family: 4 },
      ],
    });
    expect(error.reason).toBe('address 192.168.1.10 (of mixed.example.test) is private');
  });

  it('refuses other schemes and garbage', async () => {
    expect(await fetchError('ftp://example.org/feed', {})).toMatchObject({ kind: 'invalid-url' });
    expect(await fetchError('not a url', {})).toMatchObject({
      kind: 'invalid-url',
      reason: 'not a valid URL',
    });
  });
});

describe('decodeBody', () => {
  it('uses the BOM, then the Content-Type charset, then the XML declaration', () => {
    expect(decodeBody(Buffer.from([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e]), null)).toBe('<a/>');
    expect(decodeBody(Buffer.from([0xe9]), 'text/xml; charset=ISO-8859-1')).toBe('é');
    // (not 0x80-0x9F: Node 20's TextDecoder decodes windows-1252 as ISO-8859-1 there)
    expect(
      decodeBody(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>', 'latin1'), 'text/xml'),
    ).toBe('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>');
    expect(decodeBody(Buffer.from('é'), 'text/xml; charset=nonsense')).toBe('é');
  });
});

describe('safeFetchBytes (binary bodies: item images)', () => {
  const PIXELS = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x80]);

  it('returns the bytes untouched and sends the Accept header asked for', async () => {
    routes.set('/img', (req, res) =>
      res.writeHead(200, { 'content-type': 'image/png', 'x-accept': req.headers.accept ?? '' }).end(PIXELS),
    );
    const result = await safeFetchBytes(`${base}/img`, {
      ...local,
      accept: 'image/png',
      contentTypes: ['image/png'],
    });
    expect(result).toMatchObject({ notModified: false, status: 200, contentType: 'image/png' });
    expect(!result.notModified && result.body.equals(PIXELS)).toBe(true);
    expect(requests[0]!.headers.accept).toBe('image/png');
  });

  it('refuses another content type before reading the body', async () => {
    // A body that never ends: reading it would end in a timeout, not in this refusal.
    routes.set('/page', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const timer = setInterval(() => res.write('x'.repeat(1024)), 20);
      res.on('close', () => clearInterval(timer));
    });
    const error = await fetchError(`${base}/page`, {
      ...local,
      timeoutMs: 2_000,
      contentTypes: ['image/png', 'image/jpeg'],
    });
    expect(error).toMatchObject({ kind: 'content-type', reason: 'content type "text/html" is not accepted' });
  });

  it('names the refused address on a blocked fetch', async () => {
    const error = await fetchError('http://img.example.test/a.png', {
      resolveHost: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    expect(error).toMatchObject({
      kind: 'blocked',
      address: '127.0.0.1',
      reason: 'address 127.0.0.1 (of img.example.test) is loopback',
    });
  });
});
