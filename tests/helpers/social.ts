import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { AccountConfig } from '../../src/domain/platform.js';
import type { Delivery } from '../../src/domain/delivery.js';
import { createItem } from '../../src/app/items.js';
import { requestPublish } from '../../src/app/publishing.js';
import { listDeliveriesForItem } from '../../src/store/deliveries.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from './app.js';
import type { DialectUnderTest } from './databases.js';
import {
  DEFAULT_FACEBOOK_PAGE,
  startFakeFacebook,
  type FakeFacebook,
  type FakePage,
} from '../fakes/facebook.js';
import { DEFAULT_MASTODON_ACCOUNT, startFakeMastodon, type FakeMastodon } from '../fakes/mastodon.js';
import {
  DEFAULT_TWITTER_ACCOUNT,
  startFakeTwitter,
  type FakeTwitter,
  type FakeTwitterAccount,
} from '../fakes/twitter.js';

export const SECOND_TWITTER: FakeTwitterAccount = {
  id: '3355667788',
  username: 'herald_second',
  accessToken: 'fake-twitter-access-token-0002',
  refreshToken: 'fake-twitter-refresh-token-0002',
};
export const SECOND_PAGE: FakePage = {
  id: '204857600654321',
  name: 'Second Page',
  token: 'EAAfakepagetoken0002',
};

/** Secrets the tests hand to Herald: none may ever show up in an API answer, a message or a log. */
export const APP_KEY = 'fake-app-key-0001';
export const APP_SECRET = 'fake-app-secret-0001';
export const ACCESS_SECRET = 'fake-access-secret-0001';
export const SECRET_KEY = 'test-secret-key-for-herald-0001';

export interface Fakes {
  twitter: FakeTwitter;
  facebook: FakeFacebook;
  mastodon: FakeMastodon;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const twitter = await startFakeTwitter({ accounts: [DEFAULT_TWITTER_ACCOUNT, SECOND_TWITTER] });
  const facebook = await startFakeFacebook({ pages: [DEFAULT_FACEBOOK_PAGE, SECOND_PAGE] });
  const mastodon = await startFakeMastodon();
  return {
    twitter,
    facebook,
    mastodon,
    close: async () => void (await Promise.all([twitter.close(), facebook.close(), mastodon.close()])),
  };
}

export function twitterAccount(
  fakes: Fakes,
  id: string,
  who: FakeTwitterAccount = DEFAULT_TWITTER_ACCOUNT,
): AccountConfig {
  return {
    id,
    platform: 'twitter',
    apiUrl: fakes.twitter.url,
    credentials: {
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      accessToken: who.accessToken,
      accessSecret: ACCESS_SECRET,
    },
  };
}

export function facebookAccount(
  fakes: Fakes,
  id: string,
  page: FakePage = DEFAULT_FACEBOOK_PAGE,
): AccountConfig {
  return {
    id,
    platform: 'facebook',
    apiUrl: fakes.facebook.url,
    credentials: { pageId: page.id, pageToken: page.token },
  };
}

export function mastodonAccount(fakes: Fakes, id: string, extra: Partial<AccountConfig> = {}): AccountConfig {
  return {
    id,
    platform: 'mastodon',
    apiUrl: fakes.mastodon.url,
    credentials: { accessToken: DEFAULT_MASTODON_ACCOUNT.token },
    ...extra,
  };
}

/** One live account per platform, pointed at the fakes. */
export function liveAccounts(fakes: Fakes): AccountConfig[] {
  return [twitterAccount(fakes, 'tw-main'), facebookAccount(fakes, 'fb-main')];
}

export async function startSocialApp(
  dialect: DialectUnderTest,
  accounts: AccountConfig[],
  overrides: Record<string, unknown> = {},
): Promise<TestApp> {
  const { channels, ...rest } = overrides as { channels?: Record<string, unknown> };
  return startTestApp(dialect, {
    secretKey: SECRET_KEY,
    ...rest,
    channels: { timeoutMs: 2_000, ...channels, accounts },
  });
}

export async function publishItem(
  app: TestApp,
  n: number,
  extra: Record<string, unknown> = {},
  channels?: string[],
) {
  const item = await createItem(app.ctx.store, sampleItem(n, extra), 'test');
  await requestPublish(app.ctx, item.id, { actor: 'test', channels });
  return item;
}

export async function deliveriesOf(app: TestApp, itemId: string): Promise<Delivery[]> {
  return listDeliveriesForItem(app.ctx.store.db, itemId);
}

export async function deliveryFor(
  app: TestApp,
  itemId: string,
  target: string,
  action = 'create',
): Promise<Delivery> {
  const found = (await deliveriesOf(app, itemId)).find((d) => d.target === target && d.action === action);
  if (!found) throw new Error(`no ${action} delivery to ${target} for ${itemId}`);
  return found;
}

/** Waits until the item's delivery to `target` is in one of `statuses`, and returns it. */
export function waitForDelivery(
  app: TestApp,
  itemId: string,
  target: string,
  statuses: Delivery['status'][],
  timeoutMs = 15_000,
  action = 'create',
) {
  return waitFor(
    async () => {
      const d = await deliveryFor(app, itemId, target, action);
      return statuses.includes(d.status) ? d : null;
    },
    timeoutMs,
    `${action} delivery to ${target} ${statuses.join('|')}`,
  );
}

/** Time passes for a rate limit: the account's gate opens and the waiting jobs run now. */
export async function fastForwardRateLimit(
  app: TestApp,
  accountId: string,
  deliveryIds: string[],
): Promise<void> {
  await app.ctx.queues.connection.del(`${app.prefix}:gate:account:${accountId}`);
  for (const id of deliveryIds) {
    const job = await app.ctx.queues.get('channel').getJob(id);
    if (job && (await job.getState()) === 'delayed') await job.promote();
  }
}

/** A summary long enough for a thread of at least three tweets. */
export const THREAD_SUMMARY = [
  'Mayors of 130 member cities met in Lyon for three days of talks on heat, water and transport.',
  'They agreed to plant shade trees along every school route by 2030 and to publish heat maps each spring.',
  'A shared fund will pay for water fountains in poorer districts, with the first grants due in March.',
  'Transport ministers joined on the last day and promised night trains between twelve of the cities.',
  'The next meeting is in Porto, where the cities will report what they have done so far.',
].join(' ');

/**
 * No secret in any message shown to people: the deliveries' errors and progress (item pages and API), the
 * accounts' state reasons and the accounts API's answer (with its X spend), and any `shown` text (pages).
 */
export async function expectNoSecretShown(
  app: TestApp,
  http: FastifyInstance,
  apiToken: string,
  secrets: string[],
  shown: string[] = [],
): Promise<void> {
  const rows = await app.ctx.store.db.selectFrom('deliveries').select(['lastError', 'progress']).execute();
  const reasons = await app.ctx.store.db.selectFrom('channelAccounts').select(['stateReason']).execute();
  const accounts = (
    await http.inject({
      method: 'GET',
      url: '/api/channels',
      headers: { authorization: `Bearer ${apiToken}` },
    })
  ).body;
  const texts = [
    ...rows.flatMap((r) => [r.lastError ?? '', r.progress]),
    ...reasons.map((r) => r.stateReason ?? ''),
    accounts,
    ...shown,
  ];
  for (const text of texts) for (const s of secrets) expect(text).not.toContain(s);
}
