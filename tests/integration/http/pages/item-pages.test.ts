import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../helpers/databases.js';
import { waitFor } from '../../../helpers/app.js';
import { findItem, getItem } from '../../../../src/store/items.js';
import { listAudit } from '../../../../src/store/audit.js';
import { listDeliveriesForItem } from '../../../../src/store/deliveries.js';
import { addUser, Client, startWebApp, type WebApp } from '../../../helpers/web.js';
import { editorForm, itemIdFrom } from '../../../helpers/item-form.js';

const decode = (html: string) =>
  html
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

const form = editorForm;

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`item pages (${dialect})`, () => {
    let web: WebApp;
    let ed: Client;
    let csrf: string;

    beforeAll(async () => {
      web = await startWebApp(dialect);
      web.app.startWorkers(['publish', 'channel']);
      await addUser(web.app, 'ed@example.org', 'editor');
      ed = new Client(web.http);
      await ed.signIn('ed@example.org');
      csrf = await ed.csrf();
    });
    afterAll(async () => web?.close());

    it('shows every problem next to its field, keeps what was typed, and saves nothing', async () => {
      const res = await ed.post('/items', {
        ...form({
          title: '  ',
          url: 'not a url <b>',
          imageUrl: 'https://example.org/a.jpg',
          tags: 'ok, bad!tag',
        }),
        _csrf: csrf,
        action: 'save',
      });
      expect(res.statusCode).toBe(400);
      const html = decode(res.body);
      expect(html).toContain('There is a problem');
      for (const field of ['title', 'url', 'imageAlt', 'tags']) {
        expect(html).toMatch(new RegExp(`id="f-${field}"[^>]*aria-invalid="true"`));
        expect(html).toMatch(new RegExp(`<p class="error-message" id="f-${field}-error">[^<]+</p>`));
      }
      // Plain sentences with the field's label, never the code names.
      expect(html).toContain('<a href="#f-title">Title is required.</a>');
      expect(html).toContain('Alt text is required when there is an image.');
      expect(html).toContain('Tag 2 must contain only letters');
      expect(html).not.toMatch(/>[^<]*(imageUrl is given|title: is required)/); // in no text shown
      expect(res.body).toContain('value="not a url &lt;b&gt;"');
      expect(await web.app.ctx.store.db.selectFrom('items').select('id').execute()).toHaveLength(0);
    });

    let id = '';
    it('saves a draft with tags, a per-channel text and a translation, then shows it', async () => {
      const res = await ed.post('/items', {
        ...form({
          'text.twitter': 'Lyon: the mayors agreed. https://example.org/news/lyon',
          'tr.0.language': 'fr',
          'tr.0.title': 'Les maires à Lyon',
        }),
        _csrf: csrf,
        action: 'save',
      });
      expect(res.statusCode).toBe(303);
      id = itemIdFrom(res.headers.location);
      const item = await getItem(web.app.ctx.store.db, id);
      expect(item).toMatchObject({
        status: 'draft',
        tags: ['climate', 'cities'],
        channelTexts: { twitter: 'Lyon: the mayors agreed. https://example.org/news/lyon' },
        translations: { fr: { title: 'Les maires à Lyon' } },
      });
      const page = await ed.get(res.headers.location as string);
      expect(page.body).toContain('Saved.');
      expect(page.body).toContain('<strong>declaration</strong>');
      expect(page.body).toContain('by ed@example.org');
    });

    it('editing makes a new revision; emptying a translation block removes it', async () => {
      const edit = await ed.get(`/items/${id}/edit`);
      expect(edit.body).toContain('value="Les maires à Lyon"');
      const res = await ed.post(`/items/${id}`, {
        ...form({ summary: 'Updated summary.', 'tr.0.language': '', 'tr.0.title': '' }),
        _csrf: csrf,
        action: 'save',
      });
      expect(res.statusCode).toBe(303);
      const item = await getItem(web.app.ctx.store.db, id);
      expect(item).toMatchObject({
        revision: 2,
        summary: 'Updated summary.',
        translations: {},
        channelTexts: {},
      });
    });

    it('schedules in the zone chosen, shows it back in that zone, reschedules and cancels', async () => {
      const res = await ed.post(`/items/${id}`, {
        ...form({ summary: 'Updated summary.', publishAt: '2099-12-03T09:30', timezone: 'Europe/Paris' }),
        _csrf: csrf,
        action: 'schedule',
      });
      expect(res.statusCode).toBe(303);
      expect(await getItem(web.app.ctx.store.db, id)).toMatchObject({
        status: 'scheduled',
        publishAt: '2099-12-03T08:30:00.000Z',
        publishTimezone: 'Europe/Paris',
      });
      expect((await ed.get(`/items/${id}`)).body).toContain('Scheduled for 2099-12-03 09:30 Europe/Paris.');
      const moved = await ed.post(`/items/${id}/publish`, {
        _csrf: csrf,
        publishAt: '2099-07-01T09:30',
        timezone: 'America/New_York',
      });
      expect(moved.statusCode).toBe(303);
      expect(await getItem(web.app.ctx.store.db, id)).toMatchObject({
        publishAt: '2099-07-01T13:30:00.000Z',
        publishTimezone: 'America/New_York',
      });
      expect((await ed.post(`/items/${id}/cancel`, { _csrf: csrf })).statusCode).toBe(303);
      expect((await getItem(web.app.ctx.store.db, id)).status).toBe('draft');
      await ed.post(`/items/${id}/cancel`, { _csrf: csrf });
      expect((await ed.get(`/items/${id}`)).body).toContain('only a scheduled item can be cancelled');
    });

    it('explains a schedule that cannot be: no time, a zone that does not exist, a time in the past', async () => {
      const none = await ed.post(`/items/${id}`, {
        ...form({ summary: 'Updated summary.' }),
        _csrf: csrf,
        action: 'schedule',
      });
      expect(none.statusCode).toBe(400);
      expect(none.body).toContain('Choose a date and time to schedule, or publish now.');
      const zone = await ed.post(`/items/${id}`, {
        ...form({ summary: 'Updated summary.', publishAt: '2099-01-01T10:00', timezone: 'Mars/Olympus' }),
        _csrf: csrf,
        action: 'schedule',
      });
      expect(zone.statusCode).toBe(400);
      expect(decode(zone.body)).toContain(
        'Time zone must be a zone name such as Europe/Brussels or America/New_York.',
      );
      expect(zone.body).toMatch(/id="f-timezone"[^>]*aria-invalid="true"/);
      const past = await ed.post(`/items/${id}`, {
        ...form({ summary: 'Updated summary.', publishAt: '2001-01-01T10:00' }),
        _csrf: csrf,
        action: 'schedule',
      });
      expect(past.statusCode).toBe(400);
      expect(past.body).toMatch(/id="f-publishAt"[^>]*aria-invalid="true"/);
      expect(past.body).toContain('The changes are saved, but the item was not published or scheduled.');
      expect((await getItem(web.app.ctx.store.db, id)).status).toBe('draft');
    });

    it('publishes now; the dashboard then shows each channel delivered with a link', async () => {
      const res = await ed.post(`/items/${id}`, {
        ...form({ summary: 'Updated summary.' }),
        _csrf: csrf,
        action: 'publish',
      });
      expect(res.statusCode, res.body.slice(0, 600)).toBe(303);
      const channelDeliveries = async () =>
        (await listDeliveriesForItem(web.app.ctx.store.db, id)).filter((d) => d.kind === 'channel');
      await waitFor(
        async () => (await channelDeliveries()).every((d) => d.status === 'done'),
        15_000,
        'deliveries done',
      );
      const live = (await ed.get('/dashboard/live')).body;
      const block = live.slice(live.indexOf(`data-item="${id}"`));
      expect(block).toMatch(/data-target="twitter" data-status="done"/);
      // A dry-run post links to its readable page; the delivery keeps the API address of its JSON.
      expect(block).toMatch(/href="\/dry-run-posts\/out_[0-9a-f]{32}"/);
      const [delivery] = await channelDeliveries();
      expect(delivery!.remoteUrl).toMatch(/^http:\/\/herald\.test\/api\/dry-run-posts\/out_[0-9a-f]{32}$/);
    });

    it('lists a failed delivery with its reason on the dashboard; Retry sends it again', async () => {
      const failed = (await listDeliveriesForItem(web.app.ctx.store.db, id)).find(
        (d) => d.target === 'twitter',
      )!;
      await web.app.ctx.store.db
        .updateTable('deliveries')
        .set({
          status: 'failed',
          errorKind: 'permanent',
          lastError: 'Twitter refused the post: duplicate content',
          remoteId: null,
          remoteUrl: null,
        })
        .where('id', '=', failed.id)
        .execute();
      const dashboard = (await ed.get('/')).body;
      expect(dashboard).toContain('Twitter refused the post: duplicate content');
      expect(dashboard).toContain(`action="/deliveries/${failed.id}/retry"`);
      const retry = await ed.post(`/deliveries/${failed.id}/retry`, { _csrf: csrf, back: '/' });
      expect(retry.statusCode).toBe(303);
      expect(retry.headers.location).toBe('/');
      await waitFor(
        async () =>
          (await listDeliveriesForItem(web.app.ctx.store.db, id)).find((d) => d.id === failed.id)?.status ===
          'done',
        15_000,
        'retried delivery done',
      );
      expect((await ed.get('/')).body).not.toContain('duplicate content');
      expect((await ed.get(`/items/${id}`)).body).toContain('Delivery to Twitter/X retried');
    });

    it('withdraws, deleting the posts when asked', async () => {
      const res = await ed.post(`/items/${id}/withdraw`, { _csrf: csrf, deletePosts: 'on' });
      expect(res.statusCode).toBe(303);
      expect((await getItem(web.app.ctx.store.db, id)).status).toBe('withdrawn');
      expect(
        (await listDeliveriesForItem(web.app.ctx.store.db, id)).filter((d) => d.action === 'delete').length,
      ).toBeGreaterThan(0);
      expect((await ed.get(`/items/${id}`)).body).toContain('Withdrawn; the posts are being deleted.');
    });

    it('escapes what people type: a title with markup is text on every page', async () => {
      const res = await ed.post('/items', {
        ...form({ title: '<img src=x onerror=alert(1)> & "quotes"' }),
        _csrf: csrf,
        action: 'save',
      });
      const itemId = itemIdFrom(res.headers.location);
      for (const url of [`/items/${itemId}`, `/items/${itemId}/edit`, '/items']) {
        const html = decode((await ed.get(url)).body);
        expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
        expect(html).not.toContain('<img src=x');
      }
    });

    it('the items list searches titles and filters by status', async () => {
      const all = (await ed.get('/items')).body;
      expect(all).toContain('2 items');
      const found = (await ed.get('/items?q=LYON')).body;
      expect(found).toContain('1 item');
      expect(found).toContain('Mayors meet in Lyon');
      expect((await ed.get('/items?status=withdrawn')).body).toContain('1 item');
      expect((await ed.get('/items?q=%25')).body).toContain('0 items'); // % is a character, not a wildcard
    });

    it('the draft preview API counts the tweet, flags what is too long and names bad fields', async () => {
      const token = await ed.csrf();
      const ask = (fields: Record<string, unknown>) =>
        ed.request({
          method: 'POST',
          url: '/api/drafts/preview',
          payload: { fields },
          headers: { 'x-csrf-token': token },
        });
      const ok = (
        await ask({
          title: 'Short',
          url: 'https://example.org/s',
          body: 'Hi <script>alert(1)</script> **there**',
        })
      ).json();
      expect(ok.valid).toBe(true);
      expect(ok.bodyHtml).toBe('<p>Hi  <strong>there</strong></p>');
      const tweet = ok.posts.find((p: { platform: string }) => p.platform === 'twitter');
      expect(tweet).toMatchObject({ limit: 280, text: 'Short\n\nhttps://example.org/s' });
      expect(tweet.length).toBe(5 + 2 + 23);
      const long = (
        await ask({ title: 'Short', url: 'nope', channelTexts: { twitter: 'x'.repeat(300) } })
      ).json();
      expect(long.valid).toBe(false);
      expect(long.fields.url).toBe('must be an absolute http(s) URL');
      const over = long.posts.find((p: { platform: string }) => p.platform === 'twitter');
      expect(over.length).toBe(300);
      expect(over.length).toBeGreaterThan(over.limit);
      const stored = await web.app.ctx.store.db.selectFrom('items').select('id').execute();
      expect(stored).toHaveLength(2); // nothing saved by previews
    });

    it("the item page's live part and the dry-run post page; Delete needs the box ticked and a draft", async () => {
      const live = await ed.get(`/items/${id}/live`);
      expect(live.statusCode).toBe(200);
      expect(live.body).not.toContain('<html');
      const postId = /href="\/dry-run-posts\/(out_[0-9a-f]{32})"/.exec(live.body)?.[1];
      expect(postId).toBeDefined();
      const page = await ed.get(`/dry-run-posts/${postId}`);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(decode(page.body)).toContain('Mayors meet in Lyon');
      expect((await ed.get('/dry-run-posts/out_00000000000000000000000000000000')).statusCode).toBe(404);
      expect((await ed.get('/dry-run-posts/nope')).statusCode).toBe(404);

      const draft = await ed.post('/items', {
        ...form({ title: 'To be deleted' }),
        _csrf: csrf,
        action: 'save',
      });
      const draftId = itemIdFrom(draft.headers.location as string);
      const unticked = await ed.post(`/items/${draftId}/delete`, { _csrf: csrf });
      expect(unticked.statusCode).toBe(303);
      expect(unticked.headers.location).toBe(`/items/${draftId}`);
      expect((await getItem(web.app.ctx.store.db, draftId)).title).toBe('To be deleted');
      const later = await ed.post('/items', { ...form({ title: 'Scheduled' }), _csrf: csrf, action: 'save' });
      const laterId = itemIdFrom(later.headers.location as string);
      await ed.post(`/items/${laterId}/publish`, {
        _csrf: csrf,
        publishAt: '2099-05-01T10:00',
        timezone: 'UTC',
      });
      expect((await getItem(web.app.ctx.store.db, laterId)).status).toBe('scheduled');
      const scheduled = await ed.post(`/items/${laterId}/delete`, { _csrf: csrf, confirm: 'on' });
      expect(scheduled.headers.location).toBe(`/items/${laterId}`);
      expect((await getItem(web.app.ctx.store.db, laterId)).status).toBe('scheduled');
      const ticked = await ed.post(`/items/${draftId}/delete`, { _csrf: csrf, confirm: 'on' });
      expect(ticked.headers.location).toBe('/items');
      expect(await findItem(web.app.ctx.store.db, draftId)).toBeNull();
      const audit = await listAudit(web.app.ctx.store.db, 'item', draftId);
      expect(audit.map((e) => [e.action, e.actor])).toContainEqual(['deleted', 'ed@example.org']);
    });
  });
}
