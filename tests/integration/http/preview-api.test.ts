// POST /api/items/:id/preview: the post per account, with unsaved overrides, and what an edit would do.
import { PLATFORM_IDS } from '../../../src/domain/platform.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import twitterText from 'twitter-text';
import { buildServer } from '../../../src/http/server.js';
import { openApiDocument } from '../../../src/http/openapi.js';
import { setAccountState } from '../../../src/store/accounts.js';
import type { TestApp } from '../../helpers/app.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../fakes/twitter.js';
import {
  ACCESS_SECRET,
  APP_KEY,
  APP_SECRET,
  THREAD_SUMMARY,
  facebookAccount,
  mastodonAccount,
  publishItem,
  startFakes,
  startSocialApp,
  twitterAccount,
  waitForDelivery,
  type Fakes,
} from '../../helpers/social.js';

const TOKEN = 'test-token-0123456789abcdef';
const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let fakes: Fakes;
let app: TestApp;
let http: FastifyInstance;

beforeAll(async () => {
  fakes = await startFakes();
  // An instance allowing more than Mastodon's default 500, and counting URLs as 30: the previews must follow it.
  fakes.mastodon.limits = { max_characters: 1_000, characters_reserved_per_url: 30 };
  app = await startSocialApp('sqlite', [
    twitterAccount(fakes, 'tw-main'),
    facebookAccount(fakes, 'fb-main'),
    { id: 'fb-rehearsal', platform: 'facebook' },
    mastodonAccount(fakes, 'md-fr', { language: 'fr' }),
  ]);
  app.startWorkers(['channel']);
  http = await buildServer(app.ctx, { apiToken: TOKEN });
});
afterAll(async () => {
  await http?.close();
  await app?.close();
  await fakes?.close();
});

async function draft(extra: Record<string, unknown> = {}) {
  const res = await http.inject({
    method: 'POST',
    url: '/api/items',
    headers: json,
    payload: {
      title: 'Cities agree on shade',
      summary: 'Trees along every school route by 2030.',
      url: 'https://example.org/news/shade',
      tags: ['climate', 'cities'],
      ...extra,
    },
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
}

const preview = (id: string, payload: unknown = {}) =>
  http.inject({ method: 'POST', url: `/api/items/${id}/preview`, headers: json, payload: payload as object });
interface PreviewPost {
  accountId: string;
  text: string;
  parts: string[];
  warnings: string[];
  onPublish: { action: string; message: string };
  [field: string]: unknown;
}
const postFor = (body: { posts: PreviewPost[] }, id: string) => body.posts.find((p) => p.accountId === id)!;

describe('POST /api/items/:id/preview', () => {
  it('composes the post for every account: text, parts, link, counted length, limit, warnings', async () => {
    const id = await draft();
    const res = await preview(id);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ itemId: id, revision: 1, status: 'draft' });
    expect(body.posts.map((p: { accountId: string }) => p.accountId)).toEqual([
      'tw-main',
      'fb-main',
      'fb-rehearsal',
      'md-fr',
    ]);
    const tw = postFor(body, 'tw-main');
    expect(tw.text).toBe(
      'Cities agree on shade\n\nTrees along every school route by 2030.\n\nhttps://example.org/news/shade #climate #cities',
    );
    expect(tw).toMatchObject({
      platform: 'twitter',
      mode: 'live',
      state: 'ok',
      limit: 280,
      parts: [tw.text],
      link: 'https://example.org/news/shade',
      image: null,
      warnings: [],
    });
    expect(tw.length).toBe(twitterText.parseTweet(tw.text).weightedLength);
    expect(tw.onPublish).toEqual({
      action: 'create',
      message: 'Publishing posts this on Twitter/X (tw-main).',
    });
    const fb = postFor(body, 'fb-main');
    expect(fb).toMatchObject({ platform: 'facebook', limit: 63206, link: 'https://example.org/news/shade' });
    expect(fb.text).toContain('Trees along every school route by 2030.');
    expect(postFor(body, 'fb-rehearsal').warnings).toContain(
      'Facebook Page (fb-rehearsal) is in dry-run: the post is recorded as a dry-run post in Herald, not sent.',
    );
    // Previewing posts nothing.
    expect(fakes.twitter.requests).toHaveLength(0);
    expect(fakes.facebook.requests).toHaveLength(0);
  });

  it("shows Mastodon's card with its counter (the instance's limits), in the account's language when the item has that translation", async () => {
    const original = postFor((await preview(await draft())).json(), 'md-fr');
    expect(original).toMatchObject({ platform: 'mastodon', mode: 'live', limit: 1_000, warnings: [] });
    expect(original.text).toBe(
      'Cities agree on shade\n\nTrees along every school route by 2030.\n\nhttps://example.org/news/shade\n\n#climate #cities',
    );
    // Every URL counts what the instance reserves for it.
    expect(original.length).toBe(original.text.length - 'https://example.org/news/shade'.length + 30);
    const summary = 'Trees along every school route. '.repeat(22).trim();
    const long = postFor((await preview(await draft({ summary }))).json(), 'md-fr');
    expect(long).toMatchObject({ limit: 1_000, warnings: [], parts: [long.text] });
    expect(long.length).toBeGreaterThan(500);
    expect(long.text).toContain(summary);
    const id = await draft({
      translations: {
        fr: { title: "Les villes s'accordent sur l'ombre", summary: "Des arbres d'ici 2030." },
      },
    });
    const body = (await preview(id)).json();
    expect(postFor(body, 'md-fr').text).toBe(
      "Les villes s'accordent sur l'ombre\n\nDes arbres d'ici 2030.\n\nhttps://example.org/news/shade\n\n#climate #cities",
    );
    expect(postFor(body, 'tw-main').text).toContain('Cities agree on shade');
    expect(fakes.mastodon.requests.filter((r) => r !== 'GET /api/v2/instance')).toHaveLength(0);

    // The worker posts what the preview showed, with the translation's language.
    const published = await publishItem(
      app,
      1,
      { translations: { fr: { title: 'Des arbres partout', summary: "D'ici 2030." } } },
      ['md-fr'],
    );
    const done = await waitForDelivery(app, published.id, 'md-fr', ['done']);
    const status = fakes.mastodon.statuses.find((s) => s.id === done.remoteId)!;
    expect(status).toMatchObject({ language: 'fr', visibility: 'public' });
    expect(status.text).toMatch(/^Des arbres partout\n\nD'ici 2030\.\n\nhttps:/);

    // And composes with the instance's limits: a summary past 500 characters goes whole, in one status.
    const longItem = await publishItem(app, 2, { summary }, ['md-fr']);
    const longDone = await waitForDelivery(app, longItem.id, 'md-fr', ['done']);
    expect(fakes.mastodon.statuses.find((s) => s.id === longDone.remoteId)!.text).toContain(summary);
  });

  it('tries unsaved texts per platform or account, and a thread, without saving them', async () => {
    const id = await draft({ summary: THREAD_SUMMARY });
    const res = await preview(id, {
      channelTexts: { twitter: 'Short and sweet #shade', 'fb-main': 'Our Page says hello' },
      thread: false,
    });
    const body = res.json();
    expect(postFor(body, 'tw-main')).toMatchObject({
      text: 'Short and sweet #shade',
      parts: ['Short and sweet #shade'],
      length: 22,
    });
    expect(postFor(body, 'fb-main').text).toBe('Our Page says hello');
    expect(postFor(body, 'fb-rehearsal').text).not.toBe('Our Page says hello');
    const thread = (await preview(id, { thread: true })).json();
    const parts = postFor(thread, 'tw-main').parts as string[];
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts[0]).toMatch(/^1\/\d /);
    for (const p of parts) expect(twitterText.parseTweet(p).weightedLength).toBeLessThanOrEqual(280);
    const item = (await http.inject({ method: 'GET', url: `/api/items/${id}`, headers: json })).json();
    expect(item).toMatchObject({ revision: 1, thread: false, channelTexts: {} });
  });

  it('warns about an over-long tweet and an account that needs reconnecting', async () => {
    const id = await draft();
    await setAccountState(
      app.ctx.store.db,
      'tw-main',
      'needs_reconnect',
      'The token was revoked: reconnect the account.',
    );
    try {
      const body = (await preview(id, { channelTexts: { twitter: '漢'.repeat(150) } })).json();
      const tw = postFor(body, 'tw-main');
      expect(tw).toMatchObject({ length: 300, limit: 280, state: 'needs_reconnect' });
      expect(tw.warnings.join(' ')).toMatch(/Too long: 300 of 280/);
      expect(tw.warnings).toContain(
        'Twitter/X (tw-main) needs to be reconnected (The token was revoked: reconnect the account.): posts to it wait until then.',
      );
    } finally {
      await setAccountState(app.ctx.store.db, 'tw-main', 'ok', null);
    }
  });

  it('for a published item: the Facebook post can be edited, Twitter cannot', async () => {
    const item = await publishItem(app, 1, {}, ['tw-main', 'fb-main']);
    await waitForDelivery(app, item.id, 'tw-main', ['done']);
    await waitForDelivery(app, item.id, 'fb-main', ['done']);
    const same = (await preview(item.id)).json();
    expect(postFor(same, 'fb-main').onPublish).toEqual({
      action: 'none',
      message: 'Already posted on Facebook Page (fb-main): this version is there.',
    });
    expect(postFor(same, 'fb-rehearsal').onPublish.action).toBe('none');

    const edit = (
      await preview(item.id, { channelTexts: { facebook: 'Corrected text', twitter: 'Corrected tweet' } })
    ).json();
    expect(postFor(edit, 'fb-main').onPublish).toEqual({
      action: 'update',
      message:
        'Publishing the edit updates the Facebook post: its text changes, its link and photo stay as first posted.',
    });
    expect(postFor(edit, 'tw-main').onPublish).toEqual({
      action: 'none',
      message:
        'Twitter/X cannot edit a posted tweet: this change will not reach Twitter/X, the post stays as it is.',
    });
    // An account the item never went to would get a new post.
    expect(postFor(edit, 'fb-rehearsal').onPublish.action).toBe('create');
  });

  it('names every bad field (400) and answers 404 for an unknown item', async () => {
    const id = await draft();
    const bad = await preview(id, {
      channelTexts: { mastodon: 'x', 'fb-main': 42 },
      thread: 'yes',
      channels: ['tw-main', 'nope'],
      extra: 1,
    });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields).sort()).toEqual(['channelTexts.fb-main', 'extra', 'thread']);
    const unknown = await preview(id, { channelTexts: { myspace: 'x' }, channels: ['tw-main', 'nope'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.fields).toEqual({
      'channelTexts.myspace': `is neither a platform (${PLATFORM_IDS.join(', ')}) nor an account (tw-main, fb-main, fb-rehearsal, md-fr)`,
      'channels.1': 'unknown channel account "nope" (known: tw-main, fb-main, fb-rehearsal, md-fr)',
    });
    const tooLong = await preview(id, { channelTexts: { twitter: 'x'.repeat(5_001) } });
    expect(tooLong.json().error.fields).toEqual({
      'channelTexts.twitter': 'must be at most 5000 characters',
    });
    expect((await preview('itm_00000000000000000000000000000000')).statusCode).toBe(404);
    expect((await preview('nope')).statusCode).toBe(404);
    const anonymous = await http.inject({ method: 'POST', url: `/api/items/${id}/preview`, payload: {} });
    expect(anonymous.statusCode).toBe(401);
  });

  it('only some accounts; never a secret in the answer', async () => {
    const id = await draft();
    const res = await preview(id, { channels: ['fb-main'] });
    expect(res.json().posts.map((p: { accountId: string }) => p.accountId)).toEqual(['fb-main']);
    const all = (await preview(id)).body;
    for (const secret of [
      APP_KEY,
      APP_SECRET,
      ACCESS_SECRET,
      DEFAULT_TWITTER_ACCOUNT.accessToken,
      'EAAfakepagetoken0001',
    ])
      expect(all).not.toContain(secret);
  });

  it('is described in the OpenAPI document', () => {
    const doc = openApiDocument('http://herald.test');
    expect(doc.paths['/api/items/{id}/preview'].post.requestBody).toBeDefined();
    const request = JSON.stringify(doc.components.schemas.PreviewRequest);
    for (const field of ['channelTexts', 'thread', 'channels']) expect(request).toContain(`"${field}"`);
    expect(doc.components.schemas.Preview.properties.posts.items.required).toContain('onPublish');
  });
});
