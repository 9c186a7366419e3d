// POST /api/drafts/preview: the link card read from the page's og: tags, kept between previews.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/http/server.js';
import { PageReader } from '../../../src/net/link-card.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { addUser, Client } from '../../helpers/web.js';

const TOKEN = 'test-token-0123456789abcdef';
const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

const PAGES: Record<string, string> = {
  '/news/shade': `<html><head><title>Shade</title>
    <meta property="og:title" content="Cities agree on shade &amp; trees">
    <meta property="og:description" content="Every school route by 2030.">
    <meta property="og:image" content="/img/shade.jpg">
    <meta property="og:site_name" content="Example News"></head></html>`,
  '/news/bare': '<html><body>No tags</body></html>',
};

let site: http.Server;
let base: string;
const requests: string[] = [];
let app: TestApp;
let server: FastifyInstance;

beforeAll(async () => {
  site = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const page = PAGES[req.url ?? ''];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page ?? 'not here');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  app = await startTestApp('sqlite', {
    channels: {
      accounts: [
        { id: 'tw-main', platform: 'twitter' },
        { id: 'fb-main', platform: 'facebook' },
      ],
    },
  });
  server = await buildServer(app.ctx, { apiToken: TOKEN });
});
afterAll(async () => {
  await server?.close();
  await app?.close();
  await new Promise((resolve) => site?.close(resolve));
});

interface Post {
  accountId: string;
  linkCard: Record<string, unknown> | null;
  linkCardProblem: string | null;
  warnings: string[];
}

async function preview(fields: Record<string, unknown>): Promise<Post[]> {
  const res = await server.inject({
    method: 'POST',
    url: '/api/drafts/preview',
    headers: json,
    payload: { fields: { title: 'Shade for schools', summary: 'Trees on school routes.', ...fields } },
  });
  expect(res.statusCode).toBe(200);
  return res.json().posts as Post[];
}

describe('link cards in the drafts preview', () => {
  it('shows the card from the og: tags on every post without a picture, and reads the page once', async () => {
    const url = `${base}/news/shade`;
    const posts = await preview({ url });
    expect(posts.map((p) => p.accountId).sort()).toEqual(['fb-main', 'tw-main']);
    for (const post of posts) {
      expect(post.linkCard).toEqual({
        url: expect.stringContaining('/news/shade'),
        title: 'Cities agree on shade & trees',
        description: 'Every school route by 2030.',
        image: `${base}/img/shade.jpg`,
        siteName: 'Example News',
        fromItem: false,
      });
      expect(post.linkCardProblem).toBeNull();
    }
    await preview({ url, title: 'Shade for schools, typed on' });
    expect(requests.filter((r) => r === '/news/shade')).toHaveLength(1);
  });

  it("uses the item's own title and summary when the page has no tags, and says so", async () => {
    const [post] = await preview({ url: `${base}/news/bare` });
    expect(post!.linkCard).toMatchObject({
      title: 'Shade for schools',
      description: 'Trees on school routes.',
      fromItem: true,
    });
  });

  it('a page that answers 404 gives a problem in plain words, not an error', async () => {
    const posts = await preview({ url: `${base}/news/gone` });
    for (const post of posts) {
      expect(post.linkCard).toBeNull();
      expect(post.linkCardProblem).toBe(
        'Could not read the page for its link card: the page answered HTTP 404.',
      );
    }
  });

  it('a post with its own picture shows the picture, not the card', async () => {
    const posts = await preview({
      url: `${base}/news/shade`,
      imageUrl: `${base}/img/shade.jpg`,
      imageAlt: 'Trees',
    });
    const facebook = posts.find((p) => p.accountId === 'fb-main')!;
    expect(facebook.linkCard).toBeNull();
    expect(facebook.linkCardProblem).toBeNull();
  });

  it('a hand-written text that leaves the link out shows no card on X (nothing carries the link there)', async () => {
    const posts = await preview({ url: `${base}/news/shade`, channelTexts: { twitter: 'Shade, at last.' } });
    expect(posts.find((p) => p.accountId === 'tw-main')!.linkCard).toBeNull();
    expect(posts.find((p) => p.accountId === 'fb-main')!.linkCard).toMatchObject({ fromItem: false });
  });
});

describe('link cards in the saved item preview (POST /api/items/:id/preview)', () => {
  it('shows the card on each post, and none where the tried text leaves the link out', async () => {
    const created = await server.inject({
      method: 'POST',
      url: '/api/items',
      headers: json,
      payload: { title: 'Shade for schools', summary: 'Trees.', url: `${base}/news/shade` },
    });
    const url = `/api/items/${created.json().id}/preview`;
    const saved = await server.inject({ method: 'POST', url, headers: json, payload: {} });
    expect(saved.statusCode).toBe(200);
    const posts = saved.json().posts as Post[];
    expect(posts).toHaveLength(2);
    for (const post of posts)
      expect(post.linkCard).toMatchObject({ title: 'Cities agree on shade & trees', fromItem: false });
    const tried = await server.inject({
      method: 'POST',
      url,
      headers: json,
      payload: { channelTexts: { twitter: 'Shade, at last.' } },
    });
    const twitter = (tried.json().posts as Post[]).find((p) => p.accountId === 'tw-main')!;
    expect(twitter).toMatchObject({ linkCard: null, linkCardProblem: null });
  });
});

describe('link cards in the editor page (without JavaScript)', () => {
  it('the saved previews show the card, labelled as read from the page', async () => {
    const created = await server.inject({
      method: 'POST',
      url: '/api/items',
      headers: json,
      payload: { title: 'Shade for schools', summary: 'Trees.', url: `${base}/news/shade` },
    });
    expect(created.statusCode).toBe(201);
    await addUser(app, 'ed@example.org', 'editor');
    const ed = new Client(server);
    await ed.signIn('ed@example.org');
    const page = await ed.get(`/items/${created.json().id}/edit`);
    expect(page.statusCode).toBe(200);
    const cards = page.body.match(/<aside class="link-card">[\s\S]*?<\/aside>/g) ?? [];
    expect(cards).toHaveLength(2);
    expect(cards[0]).toContain('Link card as read from the page');
    expect(cards[0]).toContain('Cities agree on shade &amp; trees');
    expect(cards[0]).toContain(`Picture of the page (not loaded here): ${base}/img/shade.jpg`);
  });
});

describe('PageReader', () => {
  it('keeps a failure a shorter time than a page, and forgets the oldest page past its bound', async () => {
    let now = 0;
    const reader = new PageReader({
      fetch: { allowPrivate: true },
      ttlMs: 10_000,
      failureTtlMs: 1_000,
      maxEntries: 2,
      now: () => now,
    });
    const count = (path: string) => requests.filter((r) => r === path).length;
    const before = { gone: count('/news/gone-too'), bare: count('/news/bare') };
    expect((await reader.read(`${base}/news/gone-too`)).problem).toBe('the page answered HTTP 404');
    await reader.read(`${base}/news/bare`);
    now = 2_000;
    await reader.read(`${base}/news/gone-too`);
    await reader.read(`${base}/news/bare`);
    expect(count('/news/gone-too') - before.gone).toBe(2);
    expect(count('/news/bare') - before.bare).toBe(1);
    await reader.read(`${base}/news/shade?a`);
    await reader.read(`${base}/news/shade?b`);
    await reader.read(`${base}/news/bare`);
    expect(count('/news/bare') - before.bare).toBe(2);
  });
});
