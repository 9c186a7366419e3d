import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleItem } from '../../../helpers/app.js';
import { csrfOf, startWebApp, type WebApp } from '../../../helpers/web.js';
import { aMember, signedInCaller, type ApiCaller } from '../../../helpers/review.js';

// The review loop in the pages, with the four-eyes rule on: one database is enough (the API test runs both).
describe('review pages (sqlite)', () => {
  let web: WebApp;
  let ana: ApiCaller; // contributor
  let eve: ApiCaller; // editor
  let fay: ApiCaller; // editor

  beforeAll(async () => {
    web = await startWebApp('sqlite', { publishing: { requireReview: true } });
    web.app.startWorkers(['channel', 'publish', 'feed']);
    ana = await signedInCaller(web, 'ana@lyon.example', 'contributor', await aMember(web, 'Lyon'));
    eve = await signedInCaller(web, 'eve@example.org', 'editor');
    fay = await signedInCaller(web, 'fay@example.org', 'editor');
  });
  afterAll(async () => web?.close());

  /** Posts a form of the item page with its tokens; answers the flash shown on the page it returns to. */
  async function press(who: ApiCaller, id: string, action: string, fields: Record<string, string> = {}) {
    const page = await who.client.get(`/items/${id}`);
    const form = page.body.slice(page.body.indexOf(`action="/items/${id}/${action}"`));
    const once = form.match(/name="_once" value="([^"]+)"/)?.[1];
    const res = await who.client.post(`/items/${id}/${action}`, {
      _csrf: csrfOf(page.body),
      ...(once ? { _once: once } : {}),
      ...fields,
    });
    expect(res.statusCode).toBe(303);
    return (await who.client.get(String(res.headers.location))).body;
  }

  it('a contributor lands on their submissions; the item pages and the queue are not theirs', async () => {
    const id = (await ana.call('POST', '/api/items', sampleItem(1))).json().id;
    const home = await ana.client.get('/');
    expect([home.statusCode, home.headers.location]).toEqual([303, '/submissions']);
    const mine = await ana.client.get('/submissions');
    expect(mine.body).toContain(sampleItem(1).title);
    expect(mine.body).toContain('not submitted');
    expect((await ana.client.get(`/items/${id}`)).statusCode).toBe(403);
    expect((await ana.client.get('/review')).statusCode).toBe(403);
    expect((await eve.client.get('/submissions')).statusCode).toBe(403);
  });

  it('publishing from the item page without approval is refused on the page; the review panel takes it through', async () => {
    const id = (await eve.call('POST', '/api/items', sampleItem(2))).json().id;
    const refused = await press(eve, id, 'publish');
    expect(refused).toContain('needs approval by someone other than its author');
    expect((await eve.call('GET', `/api/items/${id}`)).json().status).toBe('draft');

    expect(await press(eve, id, 'submit')).toContain('Submitted for review.');
    const queue = await fay.client.get('/review');
    expect(queue.body).toContain(`/items/${id}`);
    expect(queue.body).toMatch(/\d+ min/);
    expect(await press(eve, id, 'approve')).toContain('someone other than its author');
    const noComment = await press(fay, id, 'request-changes');
    expect(noComment).toContain('Say what to change, or why.');
    const asked = await press(fay, id, 'request-changes', { comment: 'Add the venue.' });
    expect(asked).toContain('Changes requested');
    expect(asked).toContain('Add the venue.'); // the comment, on the item's timeline
    await eve.call('PATCH', `/api/items/${id}`, { summary: 'In the Lyon town hall.' });
    await press(eve, id, 'submit');
    const approved = await press(fay, id, 'approve', { comment: 'Good.' });
    expect(approved).toContain('Approved and published.');
    expect((await eve.call('GET', `/api/items/${id}`)).json().status).toBe('published');
  });

  it('the reviewer may approve for a time of their own: the item is scheduled then', async () => {
    const id = (await eve.call('POST', '/api/items', sampleItem(3))).json().id;
    await press(eve, id, 'submit');
    const page = (await fay.client.get(`/items/${id}`)).body;
    expect(page).toMatch(/<input id="approve-at" name="publishAt" type="datetime-local"/);
    expect(page).toMatch(/<input type="hidden" name="timezone" value="[^"]+">/);
    const approved = await press(fay, id, 'approve', {
      publishAt: '2099-03-02T09:30',
      timezone: 'Europe/Paris',
    });
    expect(approved).toContain('Approved');
    const item = (await eve.call('GET', `/api/items/${id}`)).json();
    expect(item).toMatchObject({ status: 'scheduled', publishAt: '2099-03-02T08:30:00.000Z' });
    expect(item.publishTimezone).toBe('Europe/Paris');
  });

  it('the pages speak French too', async () => {
    const res = await fay.client.get('/review', { 'accept-language': 'fr' });
    expect(res.body).toContain('File de relecture');
  });
});
