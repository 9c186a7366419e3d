import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem } from '../../helpers/app.js';
import { startWebApp, TOKEN, type WebApp } from '../../helpers/web.js';
import { aMember, signedInCaller, type ApiCaller } from '../../helpers/review.js';

/** A whole second some hours ahead, as Herald writes times back (with milliseconds). */
const future = (hours = 3) => new Date(Math.floor(Date.now() / 1000 + hours * 3600) * 1000).toISOString();

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`review API with the four-eyes rule (${dialect})`, () => {
    let web: WebApp;
    let ana: ApiCaller; // contributor, member Lyon
    let bob: ApiCaller; // contributor, member Porto
    let eve: ApiCaller; // editor
    let fay: ApiCaller; // editor
    let adm: ApiCaller; // admin

    beforeAll(async () => {
      web = await startWebApp(dialect, { publishing: { requireReview: true } });
      web.app.startWorkers(['channel', 'publish', 'feed']);
      const lyon = await aMember(web, 'Lyon');
      const porto = await aMember(web, 'Porto');
      ana = await signedInCaller(web, 'ana@lyon.example', 'contributor', lyon);
      bob = await signedInCaller(web, 'bob@porto.example', 'contributor', porto);
      eve = await signedInCaller(web, 'eve@example.org', 'editor');
      fay = await signedInCaller(web, 'fay@example.org', 'editor');
      adm = await signedInCaller(web, 'adm@example.org', 'admin');
    });
    afterAll(async () => web?.close());

    const create = async (who: ApiCaller, n: number) => {
      const res = await who.call('POST', '/api/items', sampleItem(n));
      expect(res.statusCode).toBe(201);
      return res.json().id as string;
    };
    const reviewState = async (id: string) =>
      (await eve.call('GET', `/api/items/${id}`)).json().review.state as string;

    it('a contributor drafts, sees only their own items, and cannot publish, approve or see the queue', async () => {
      const mine = await create(ana, 1);
      const theirs = await create(bob, 2);
      const editors = await create(eve, 3);
      const listed = (await ana.call('GET', '/api/items')).json();
      expect(listed.items.map((i: { id: string }) => i.id)).toEqual([mine]);
      expect(listed.total).toBe(1);
      expect((await ana.call('GET', `/api/items/${mine}`)).json().review).toMatchObject({
        state: 'draft',
        author: 'ana@lyon.example',
      });
      for (const other of [theirs, editors]) {
        for (const [method, path, body] of [
          ['GET', '', undefined],
          ['PATCH', '', { title: 'Taken over' }],
          ['POST', '/submit', {}],
          ['POST', '/preview', {}],
        ] as const) {
          const res = await ana.call(method, `/api/items/${other}${path}`, body);
          expect({ method, path, status: res.statusCode, code: res.json().error?.code }).toEqual({
            method,
            path,
            status: 404,
            code: 'not_found',
          });
        }
      }
      for (const [method, url] of [
        ['POST', `/api/items/${mine}/publish`],
        ['POST', `/api/items/${mine}/approve`],
        ['POST', `/api/items/${mine}/reject`],
        ['POST', `/api/items/${mine}/cancel`],
        ['DELETE', `/api/items/${mine}`],
        ['GET', '/api/review'],
        ['GET', '/api/media'],
        ['GET', '/api/members'],
        ['GET', '/api/newsletters'],
      ] as const) {
        const res = await ana.call(method, url, method === 'POST' ? {} : undefined);
        expect({ url, method, status: res.statusCode }).toEqual({ url, method, status: 403 });
      }
      expect((await bob.call('GET', '/api/items')).json().items.map((i: { id: string }) => i.id)).toEqual([
        theirs,
      ]);
    });

    it('nothing goes out without an approval: publish answers 409 review_required, for editors, admins and the API token', async () => {
      const id = await create(eve, 10);
      for (const who of [eve, adm]) {
        const res = await who.call('POST', `/api/items/${id}/publish`, {});
        expect({ status: res.statusCode, code: res.json().error.code }).toEqual({
          status: 409,
          code: 'review_required',
        });
      }
      const byToken = await web.http.inject({
        method: 'POST',
        url: `/api/items/${id}/publish`,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        payload: { at: future() },
      });
      expect(byToken.statusCode).toBe(409);
      expect((await eve.call('GET', `/api/items/${id}`)).json().status).toBe('draft');
    });

    it('submit, ask for changes, edit, resubmit, edit in review (back to draft), resubmit, approve at a time', async () => {
      const id = await create(ana, 20);
      const proposed = future();
      const submitted = await ana.call('POST', `/api/items/${id}/submit`, {
        at: proposed,
        comment: 'For the newsletter too?',
      });
      expect(submitted.statusCode).toBe(200);
      expect(submitted.json()).toMatchObject({
        state: 'in_review',
        submittedBy: ana.email,
        proposedAt: proposed,
      });
      const again = await ana.call('POST', `/api/items/${id}/submit`, {});
      expect([again.statusCode, again.json().error.code]).toEqual([409, 'already_submitted']);

      const queue = (await eve.call('GET', '/api/review')).json().items;
      expect(queue.map((q: { itemId: string }) => q.itemId)).toContain(id);
      expect(queue.find((q: { itemId: string }) => q.itemId === id)).toMatchObject({
        submittedBy: ana.email,
        ageSeconds: expect.any(Number),
      });

      const noComment = await eve.call('POST', `/api/items/${id}/request-changes`, {});
      expect([noComment.statusCode, Object.keys(noComment.json().error.fields)]).toEqual([400, ['comment']]);
      const blank = await eve.call('POST', `/api/items/${id}/request-changes`, { comment: '   ' });
      expect(blank.statusCode).toBe(400);
      const changes = await eve.call('POST', `/api/items/${id}/request-changes`, {
        comment: 'Add the date of the conference.',
      });
      expect(changes.json().state).toBe('changes_requested');
      const early = await fay.call('POST', `/api/items/${id}/approve`, {});
      expect([early.statusCode, early.json().error.code]).toEqual([409, 'not_in_review']);

      expect(
        (await ana.call('PATCH', `/api/items/${id}`, { summary: 'On 3 June in Lyon.' })).statusCode,
      ).toBe(200);
      expect(await reviewState(id)).toBe('draft');
      expect((await ana.call('POST', `/api/items/${id}/submit`, { at: proposed })).json().state).toBe(
        'in_review',
      );
      expect(
        (await ana.call('PATCH', `/api/items/${id}`, { summary: 'On 3 June 2027 in Lyon.' })).statusCode,
      ).toBe(200);
      expect(await reviewState(id)).toBe('draft');
      const premature = await fay.call('POST', `/api/items/${id}/approve`, {});
      expect(premature.json().error.code).toBe('not_in_review');
      await ana.call('POST', `/api/items/${id}/submit`, { at: proposed });

      const at = future(5);
      const approved = await fay.call('POST', `/api/items/${id}/approve`, { at, comment: 'Thanks!' });
      expect(approved.statusCode).toBe(202);
      expect(approved.json()).toMatchObject({ state: 'approved', scheduled: true });
      const item = (await ana.call('GET', `/api/items/${id}`)).json();
      expect(item).toMatchObject({ status: 'scheduled', publishAt: at });
      expect(
        item.review.history.map((e: { action: string; actor: string; comment: string | null }) => [
          e.action,
          e.actor,
          e.comment,
        ]),
      ).toEqual([
        ['submitted', ana.email, 'For the newsletter too?'],
        ['changes_requested', eve.email, 'Add the date of the conference.'],
        ['returned', ana.email, null],
        ['submitted', ana.email, null],
        ['returned', ana.email, null],
        ['submitted', ana.email, null],
        ['approved', fay.email, 'Thanks!'],
      ]);
      const audit = item.history.map((h: { action: string }) => h.action);
      expect(audit.filter((a: string) => a.startsWith('review_'))).toHaveLength(7);
      expect(audit).toContain('scheduled');
    });

    it('without a time, approval keeps the proposed time; with none proposed it publishes now', async () => {
      const proposedFor = await create(ana, 30);
      const proposed = future();
      await ana.call('POST', `/api/items/${proposedFor}/submit`, { at: proposed });
      expect((await eve.call('POST', `/api/items/${proposedFor}/approve`, {})).json().scheduled).toBe(true);
      expect((await eve.call('GET', `/api/items/${proposedFor}`)).json().publishAt).toBe(proposed);

      const now = await create(ana, 31);
      await ana.call('POST', `/api/items/${now}/submit`, {});
      const res = await eve.call('POST', `/api/items/${now}/approve`, {});
      expect(res.json()).toMatchObject({ state: 'approved', scheduled: false });
      const item = (await eve.call('GET', `/api/items/${now}`)).json();
      expect(item.status).toBe('published');
      expect(item.deliveries.length).toBeGreaterThan(0);
      // A published item cannot be submitted again until an edit makes a new revision.
      const resubmit = await ana.call('POST', `/api/items/${now}/submit`, {});
      expect([resubmit.statusCode, resubmit.json().error.code]).toEqual([409, 'already_published']);
    });

    it('four eyes: an editor cannot approve their own item (403), a second editor can', async () => {
      const id = await create(eve, 40);
      await eve.call('POST', `/api/items/${id}/submit`, {});
      const own = await eve.call('POST', `/api/items/${id}/approve`, {});
      expect([own.statusCode, own.json().error.code]).toEqual([403, 'own_item']);
      expect(await reviewState(id)).toBe('in_review');
      const other = await adm.call('POST', `/api/items/${id}/approve`, { at: future() });
      expect(other.statusCode).toBe(202);
    });

    it('a rejected item stays rejected: it cannot be submitted or approved again', async () => {
      const id = await create(bob, 50);
      await bob.call('POST', `/api/items/${id}/submit`, {});
      const rejected = await eve.call('POST', `/api/items/${id}/reject`, { comment: 'Not our topic.' });
      expect(rejected.json().state).toBe('rejected');
      for (const [who, action] of [
        [bob, 'submit'],
        [eve, 'approve'],
        [eve, 'request-changes'],
      ] as const) {
        const res = await who.call('POST', `/api/items/${id}/${action}`, { comment: 'x' });
        expect([action, res.statusCode, res.json().error.code]).toEqual([action, 409, 'review_rejected']);
      }
    });

    it('a refused approval changes nothing: a time in the past, an unknown channel', async () => {
      const id = await create(ana, 60);
      await ana.call('POST', `/api/items/${id}/submit`, {});
      const past = await eve.call('POST', `/api/items/${id}/approve`, { at: '2020-01-01T10:00:00Z' });
      expect([past.statusCode, Object.keys(past.json().error.fields)]).toEqual([400, ['at']]);
      const channel = await eve.call('POST', `/api/items/${id}/approve`, { channels: ['nowhere'] });
      expect([channel.statusCode, Object.keys(channel.json().error.fields)]).toEqual([400, ['channels']]);
      expect(await reviewState(id)).toBe('in_review');
    });
  });
}
