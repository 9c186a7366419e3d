import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountState } from '../../../src/store/accounts.js';
import { listDeliveriesForItem } from '../../../src/store/deliveries.js';
import { waitFor } from '../../helpers/app.js';
import { approveAt, continueLink, startConnectFakes, type ConnectFakes } from '../../helpers/connect.js';
import { publishSample } from '../../helpers/publish.js';
import { addUser, Client, csrfOf, startWebApp, type WebApp } from '../../helpers/web.js';

const ACCOUNT = 'twitter-herald_test';

describe('A connected account posts, is held while it needs reconnecting, and goes on when reconnected', () => {
  let fakes: ConnectFakes;
  let web: WebApp;
  let admin: Client;

  beforeAll(async () => {
    fakes = await startConnectFakes();
    web = await startWebApp('sqlite', fakes.config);
    web.app.startWorkers(['channel', 'publish']);
    await addUser(web.app, 'root@example.org', 'admin');
    admin = new Client(web.http, '10.7.0.1');
    await admin.signIn('root@example.org');
  });
  afterAll(async () => {
    await web?.close();
    await fakes?.close();
  });

  async function connect(form: Record<string, string> = {}) {
    const page = await admin.get('/channels');
    const start = await admin.post('/channels/connect/twitter', { _csrf: csrfOf(page.body), ...form });
    return admin.get(await approveAt(continueLink(start.body)));
  }

  const deliveryTo = async (itemId: string) =>
    (await listDeliveriesForItem(web.app.ctx.store.db, itemId)).find((d) => d.target === ACCOUNT);

  it('posts through the account just connected', async () => {
    expect((await connect()).statusCode).toBe(303);
    const itemId = await publishSample(web.app.ctx, 1);
    await waitFor(async () => (await deliveryTo(itemId))?.status === 'done', 20_000, 'posted on X');
    expect(fakes.twitter.posts).toHaveLength(1);
  });

  it('holds a post for an account that needs reconnecting (pending, not failed), says so, and sends it on reconnection', async () => {
    await setAccountState(web.app.ctx.store.db, ACCOUNT, 'needs_reconnect', 'X refused the token');
    const itemId = await publishSample(web.app.ctx, 2);
    await waitFor(async () => (await deliveryTo(itemId))?.lastError?.startsWith('Held:'), 20_000, 'held');
    const held = (await deliveryTo(itemId))!;
    expect(held.status).toBe('pending');
    expect(held.attempts).toBe(0);
    expect(fakes.twitter.posts).toHaveLength(1);
    const itemPage = (await admin.get(`/items/${itemId}`)).body;
    expect(itemPage).toContain('Held until @herald_test is reconnected: it goes out then.');

    const back = await connect({ account: ACCOUNT });
    expect(back.statusCode).toBe(303);
    await waitFor(
      async () => (await deliveryTo(itemId))?.status === 'done',
      20_000,
      'sent after reconnecting',
    );
    expect(fakes.twitter.posts).toHaveLength(2);
    // The account kept its id: its history (the first post) is still its own.
    const first = await web.app.ctx.store.db
      .selectFrom('deliveries')
      .select('target')
      .where('status', '=', 'done')
      .execute();
    expect(first.filter((d) => d.target === ACCOUNT)).toHaveLength(2);
  });
});
