import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSubPingError, pingWebSubHub } from '../../../src/feed/websub.js';

const received: { contentType: string | undefined; body: string }[] = [];
let status = 204;
let server: Server;
let hubUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('pingWebSubHub', () => {
  it('posts hub.mode=publish with each feed URL', async () => {
    received.length = 0;
    await pingWebSubHub(hubUrl, [
      'https://herald.example.org/rss.xml',
      'https://herald.example.org/atom.xml?x=1&y=2',
    ]);
    expect(received).toEqual([
      {
        contentType: 'application/x-www-form-urlencoded',
        body: 'hub.mode=publish&hub.url=https%3A%2F%2Fherald.example.org%2Frss.xml',
      },
      {
        contentType: 'application/x-www-form-urlencoded',
        body: 'hub.mode=publish&hub.url=https%3A%2F%2Fherald.example.org%2Fatom.xml%3Fx%3D1%26y%3D2',
      },
    ]);
  });

  it('fails with the status when the hub refuses', async () => {
    status = 400;
    await expect(pingWebSubHub(hubUrl, ['https://herald.example.org/rss.xml'])).rejects.toThrow(
      WebSubPingError,
    );
    await expect(pingWebSubHub(hubUrl, ['https://herald.example.org/rss.xml'])).rejects.toThrow(/HTTP 400/);
    status = 204;
  });
});
