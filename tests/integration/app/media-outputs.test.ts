import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Parser from 'rss-parser';
import sharp from 'sharp';
import { startTestApp, sampleItem, type TestApp } from '../../helpers/app.js';
import { noise } from '../../helpers/media.js';
import { MEDIA_STORES, startTestMediaStore, type TestMediaStore } from '../../helpers/media-stores.js';
import { mediaStoreFor, uploadMedia } from '../../../src/app/media.js';
import { createItem } from '../../../src/app/items.js';
import { withUploads } from '../../../src/store/media.js';
import { fileName, type Media } from '../../../src/domain/media.js';
import { TwitterChannel } from '../../../src/channels/twitter/adapter.js';
import { FacebookChannel } from '../../../src/channels/facebook/adapter.js';
import { buildFeeds } from '../../../src/feed/build.js';
import { checkXmlWellFormed } from '../../../src/feed/xml-wellformed.js';
import { DEFAULT_TWITTER_ACCOUNT, startFakeTwitter, type FakeTwitter } from '../../fakes/twitter.js';
import { DEFAULT_FACEBOOK_PAGE, startFakeFacebook, type FakeFacebook } from '../../fakes/facebook.js';
import { testAccount, testContext, testDelivery } from '../../helpers/channel-fixtures.js';
import { makeMeta } from '../../helpers/feed-items.js';
import { ValidationError } from '../../../src/domain/errors.js';
import type { NewsItem } from '../../../src/domain/item.js';
import { loadItems } from '../../../src/newsletter/compose.js';

for (const storeKind of MEDIA_STORES)
  describe(`an uploaded picture on every output (${storeKind} store)`, () => {
    let app: TestApp;
    let files: TestMediaStore;
    let twitterFake: FakeTwitter;
    let facebookFake: FakeFacebook;
    let media: Media;
    let item: NewsItem;

    beforeAll(async () => {
      files = await startTestMediaStore(storeKind);
      app = await startTestApp('sqlite', files.overrides); // publicUrl http://herald.test: nothing may fetch it
      twitterFake = await startFakeTwitter();
      facebookFake = await startFakeFacebook({ pages: [DEFAULT_FACEBOOK_PAGE] });
      const bytes = await noise(2400, 1600).jpeg({ quality: 95 }).toBuffer();
      media = await uploadMedia(
        app.ctx.store,
        mediaStoreFor(app.ctx.config),
        { bytes, alt: 'Cyclists on the new lane' },
        'test',
      );
      item = await createItem(app.ctx.store, sampleItem(1, { imageId: media.id }), 'test');
    });
    afterAll(async () => {
      await twitterFake?.close();
      await facebookFake?.close();
      await app?.close();
      await files?.close();
    });

    it('an item takes imageId (not with imageUrl; an unknown upload refused by field)', async () => {
      expect(item.imageId).toBe(media.id);
      await expect(
        createItem(
          app.ctx.store,
          sampleItem(2, { imageId: media.id, imageUrl: 'https://example.org/a.jpg' }),
          'test',
        ),
      ).rejects.toMatchObject({ fields: { imageUrl: expect.stringMatching(/imageId/) } });
      const unknown = await createItem(
        app.ctx.store,
        sampleItem(3, { imageId: `med_${'0'.repeat(32)}` }),
        'test',
      ).catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(ValidationError);
      expect((unknown as ValidationError).fields.imageId).toMatch(/no upload/);
    });

    it('X: the stored version is uploaded (not fetched) with the alt text', async () => {
      const [resolved] = await withUploads(app.ctx.store.db, [item], 'x', app.ctx.config.publicUrl);
      const files = mediaStoreFor(app.ctx.config);
      const channel = new TwitterChannel({
        apiUrl: twitterFake.url,
        timeoutMs: 2_000,
        accounts: () => ({
          credentials: {
            kind: 'oauth1',
            appKey: 'fake-app-key-0001',
            appSecret: 'fake-app-secret-0001',
            accessToken: DEFAULT_TWITTER_ACCOUNT.accessToken,
            accessSecret: 'fake-access-secret-0001',
          },
        }),
        readMedia: (file) => files.get(file),
      });
      const account = testAccount('twitter');
      const post = channel.compose(resolved!, account);
      await channel.publish(testContext(post, resolved!, account, testDelivery({ target: account.id })).ctx);
      const [uploaded] = [...twitterFake.media.values()];
      expect(uploaded).toMatchObject({
        type: 'image/jpeg',
        alt: 'Cyclists on the new lane',
        finalized: true,
      });
      expect(uploaded!.bytes.equals((await files.get(fileName(media.derivatives.x ?? media)))!)).toBe(true);
      expect(twitterFake.posts[0]!.mediaIds).toEqual([uploaded!.id]);
    });

    it('Facebook: a photo post of the public address', async () => {
      const [resolved] = await withUploads(app.ctx.store.db, [item], 'x', app.ctx.config.publicUrl);
      const channel = new FacebookChannel({
        graphUrl: facebookFake.url,
        timeoutMs: 2_000,
        accounts: () => ({
          credentials: { pageId: DEFAULT_FACEBOOK_PAGE.id, pageToken: DEFAULT_FACEBOOK_PAGE.token },
        }),
      });
      const account = testAccount('facebook');
      const post = channel.compose(resolved!, account);
      await channel.publish(testContext(post, resolved!, account, testDelivery({ target: account.id })).ctx);
      expect(facebookFake.posts[0]).toMatchObject({
        photoUrl: `http://herald.test/media/${fileName(media.derivatives.x ?? media)}`,
      });
    });

    it('feeds: RSS enclosure and media:content, Atom rel="enclosure", JSON Feed image (the 1200 px card)', async () => {
      const published = {
        ...item,
        status: 'published' as const,
        publishedAt: '2026-12-01T10:00:00.000Z',
        publishedRevision: 1,
      };
      const [resolved] = await withUploads(app.ctx.store.db, [published], 'card', 'https://news.example.org');
      const card = `https://news.example.org/media/${fileName(media.derivatives.card!)}`;
      expect(media.derivatives.card!.width).toBe(1200);
      const feeds = buildFeeds([resolved!], makeMeta());
      for (const xml of [feeds.rss, feeds.atom]) expect(checkXmlWellFormed(xml).ok).toBe(true);
      const rss = await new Parser().parseString(feeds.rss);
      const bytes = media.derivatives.card!.bytes;
      expect((await mediaStoreFor(app.ctx.config).get(fileName(media.derivatives.card!)))?.length).toBe(
        bytes,
      );
      expect(rss.items[0]!.enclosure).toEqual({ url: card, type: 'image/jpeg', length: String(bytes) });
      expect(feeds.rss).toMatch(
        new RegExp(
          `<media:content url="${card.replace(/[.]/g, '\\.')}" fileSize="${bytes}" type="image/jpeg"`,
        ),
      );
      expect(feeds.atom).toContain(
        `<link rel="enclosure" type="image/jpeg" href="${card}" length="${bytes}"/>`,
      );
      const json = JSON.parse(feeds.json).items[0];
      expect(json.image).toBe(card);
      expect(json.attachments).toEqual([{ url: card, mime_type: 'image/jpeg', size_in_bytes: bytes }]);
    });

    it('newsletters: the 1200 px version with the alt text', async () => {
      const [resolved] = await loadItems(app.ctx.store.db, [item.id], {
        requirePublished: false,
        publicUrl: app.ctx.config.publicUrl,
      });
      const file = fileName(media.derivatives.newsletter!);
      expect(resolved!.imageUrl).toBe(`http://herald.test/media/${file}`);
      expect(resolved!.imageAlt).toBe('Cyclists on the new lane');
      const served = await mediaStoreFor(app.ctx.config).get(file);
      expect((await sharp(served!).metadata()).width).toBe(1200);
    });
  });
