import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem } from '../../helpers/app.js';
import { startWebApp, type WebApp } from '../../helpers/web.js';
import { signedInCaller, type ApiCaller } from '../../helpers/review.js';
import { signWebhook } from '../../../src/ingest/webhook-signature.js';
import { importEntry } from '../../../src/ingest/import-entry.js';
import { feedSourceSchema } from '../../../src/config/feed.js';
import { validateItemFields } from '../../../src/domain/item.js';

const SECRET = `whsec_${Buffer.from('cms-shared-secret-0123456789-abcdef').toString('base64')}`;

// Under the four-eyes rule, each source says whether it is trusted (publishes at once) or goes to review.
for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`webhook and feed import: trusted or review (${dialect})`, () => {
    let web: WebApp;
    let eve: ApiCaller;

    beforeAll(async () => {
      web = await startWebApp(dialect, {
        publishing: { requireReview: true },
        feed: { webhookSecret: SECRET, webhookMode: 'review' },
      });
      web.app.startWorkers(['channel', 'publish', 'feed']);
      eve = await signedInCaller(web, 'eve@example.org', 'editor');
    });
    afterAll(async () => web?.close());

    const hook = (payload: unknown) => {
      const body = JSON.stringify(payload);
      return web.http.inject({
        method: 'POST',
        url: '/api/hooks/publish',
        payload: body,
        headers: {
          'content-type': 'application/json',
          ...signWebhook(SECRET, `msg_${randomUUID()}`, body, new Date()),
        },
      });
    };
    const entry = (n: number) => ({
      key: `entry-${n}`,
      date: null,
      fields: validateItemFields(sampleItem(n)),
    });

    it('a webhook in review mode creates the item in review, once, and an editor approves it out', async () => {
      const first = await hook({ ...sampleItem(1), externalId: 'cms-1' });
      expect(first.statusCode).toBe(201);
      const id = first.json().id as string;
      expect(first.json().status).toBe('draft');
      expect((await hook({ ...sampleItem(1), externalId: 'cms-1' })).statusCode).toBe(200); // a retry
      const item = (await eve.call('GET', `/api/items/${id}`)).json();
      expect(item.review).toMatchObject({ state: 'in_review', submittedBy: 'webhook' });
      expect(item.review.history.map((e: { action: string }) => e.action)).toEqual(['submitted']);
      expect(item.deliveries).toEqual([]);
      const publish = await eve.call('POST', `/api/items/${id}/publish`, {});
      expect(publish.json().error.code).toBe('review_required');
      expect((await eve.call('POST', `/api/items/${id}/approve`, {})).statusCode).toBe(202);
      expect((await eve.call('GET', `/api/items/${id}`)).json().status).toBe('published');
    });

    it('a feed source in review mode submits its items; a trusted (publish) one publishes at once', async () => {
      const review = feedSourceSchema.parse({
        id: 'partners',
        url: 'https://example.org/a.xml',
        mode: 'review',
      });
      const trusted = feedSourceSchema.parse({
        id: 'site',
        url: 'https://example.org/b.xml',
        mode: 'publish',
      });
      const inReview = await importEntry(web.app.ctx, review, entry(2));
      const published = await importEntry(web.app.ctx, trusted, entry(3));
      if (inReview.status !== 'created' || published.status !== 'created') throw new Error('not imported');
      const queued = (await eve.call('GET', '/api/review'))
        .json()
        .items.map((i: { itemId: string }) => i.itemId);
      expect(queued).toContain(inReview.itemId);
      expect(queued).not.toContain(published.itemId);
      expect((await eve.call('GET', `/api/items/${inReview.itemId}`)).json()).toMatchObject({
        status: 'draft',
        review: { state: 'in_review', submittedBy: 'ingest:partners' },
      });
      expect((await eve.call('GET', `/api/items/${published.itemId}`)).json().status).toBe('published');
    });
  });
}
