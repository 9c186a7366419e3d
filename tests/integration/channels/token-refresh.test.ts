// OAuth 2: an expired access token is renewed once across worker processes, the rotated refresh token is
// stored encrypted at once, and a restarted process uses it instead of the spent one in the configuration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountConfig } from '../../../src/domain/platform.js';
import { createContext, type Context } from '../../../src/app/context.js';
import { createLogger } from '../../../src/log.js';
import { decryptSecret, secretKeyFrom } from '../../../src/channels/secrets.js';
import { loadAccountSecret } from '../../../src/store/accounts.js';
import { startWorkers, type RunningWorkers } from '../../../workers/index.js';
import { TEST_REDIS } from '../../helpers/redis.js';
import { waitFor, type TestApp } from '../../helpers/app.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../fakes/twitter.js';
import {
  SECRET_KEY,
  deliveryFor,
  publishItem,
  startFakes,
  startSocialApp,
  type Fakes,
} from '../../helpers/social.js';

const CLIENT_SECRET = 'fake-oauth2-client-secret-0001';

let fakes: Fakes;
let app: TestApp;
const others: Array<{ ctx: Context; workers: RunningWorkers }> = [];

function oauth2Account(): AccountConfig {
  return {
    id: 'tw-oauth2',
    platform: 'twitter',
    apiUrl: fakes.twitter.url,
    credentials: {
      clientId: 'fake-oauth2-client-id',
      clientSecret: CLIENT_SECRET,
      refreshToken: DEFAULT_TWITTER_ACCOUNT.refreshToken,
      accessToken: DEFAULT_TWITTER_ACCOUNT.accessToken,
    },
  };
}

/** Another worker process on the same database and Redis (its own registry, sessions and token cache). */
async function anotherProcess(): Promise<Context> {
  const ctx = await createContext(app.ctx.config, { redis: TEST_REDIS, log: createLogger('silent') });
  others.push({ ctx, workers: startWorkers(ctx, ['channel']) });
  return ctx;
}

beforeAll(async () => {
  fakes = await startFakes();
  app = await startSocialApp('sqlite', [oauth2Account()]);
});
afterAll(async () => {
  for (const o of others) await o.workers.close(5_000);
  for (const o of others) await o.ctx.close();
  await app?.close();
  await fakes?.close();
});

async function allDone(ids: string[]) {
  return waitFor(
    async () => {
      const ds = await Promise.all(ids.map((id) => deliveryFor(app, id, 'tw-oauth2')));
      if (ds.some((d) => d.status === 'failed'))
        throw new Error(`failed: ${ds.map((d) => d.lastError).join('; ')}`);
      return ds.every((d) => d.status === 'done') ? ds : null;
    },
    20_000,
    'tweets posted',
  );
}

describe('OAuth 2 token refresh', () => {
  it('two worker processes, an expired access token: one refresh, the new refresh token stored encrypted', async () => {
    fakes.twitter.expireAccessTokens();
    await anotherProcess();
    await anotherProcess();
    const items = [];
    for (let i = 1; i <= 6; i++) items.push(await publishItem(app, i));
    const done = await allDone(items.map((i) => i.id));
    expect(done.every((d) => d.attempts === 1)).toBe(true);
    expect(fakes.twitter.refreshes).toBe(1);
    expect(fakes.twitter.posts.filter((p) => !p.deleted)).toHaveLength(6);

    const blob = await loadAccountSecret(app.ctx.store.db, 'tw-oauth2');
    const current = fakes.twitter.refreshTokenOf(DEFAULT_TWITTER_ACCOUNT.id)!;
    expect(current).not.toBe(DEFAULT_TWITTER_ACCOUNT.refreshToken);
    expect(blob).toMatch(/^v1\./);
    expect(blob).not.toContain(current);
    const stored = JSON.parse(decryptSecret(blob!, secretKeyFrom(SECRET_KEY)));
    expect(stored.refreshToken).toBe(current);
    expect(stored.accessToken).toMatch(/^fake-access-/);
  });

  it('a restarted process uses the stored tokens (the configured refresh token is spent)', async () => {
    for (const o of others.splice(0)) {
      await o.workers.close(5_000);
      await o.ctx.close();
    }
    await anotherProcess();
    const item = await publishItem(app, 7);
    await allDone([item.id]);
    expect(fakes.twitter.refreshes).toBe(1);
  });

  it('a refresh token Twitter refuses marks the account needs_reconnect', async () => {
    fakes.twitter.revoke(DEFAULT_TWITTER_ACCOUNT.id);
    const item = await publishItem(app, 8);
    const failed = await waitFor(
      async () => {
        const d = await deliveryFor(app, item.id, 'tw-oauth2');
        return d.status === 'failed' ? d : null;
      },
      15_000,
      'refused',
    );
    expect(failed.errorKind).toBe('auth');
    expect(failed.lastError).toBe(
      "Twitter refused to renew Herald's access to this account (the refresh token was revoked or already used): reconnect the account.",
    );
    const account = await app.ctx.store.db
      .selectFrom('channelAccounts')
      .select(['state', 'stateReason'])
      .where('id', '=', 'tw-oauth2')
      .executeTakeFirstOrThrow();
    expect(account).toEqual({ state: 'needs_reconnect', stateReason: failed.lastError });
  });
});
