import type { ComposedPost, PublishContext } from '../../src/channels/adapter.js';
import type { ChannelAccount } from '../../src/domain/platform.js';
import type { Delivery } from '../../src/domain/delivery.js';
import type { NewsItem } from '../../src/domain/item.js';

/** A published-looking item; fields not given take plain defaults. */
export function testItem(overrides: Partial<NewsItem> = {}): NewsItem {
  const now = new Date().toISOString();
  const item = {
    id: 'item-1',
    slug: 'bike-lanes',
    title: 'Council approves new bike lanes',
    summary:
      'The city council voted 7-2 on Tuesday to build 12 km of protected bike lanes and widen sidewalks.',
    body: '',
    bodyHtml: '',
    url: 'https://news.example.org/2026/bike-lanes',
    imageUrl: null,
    imageAlt: null,
    tags: ['cycling', 'city-council'],
    language: 'en',
    translations: {},
    channelTexts: {},
    thread: false,
    status: 'published',
    revision: 1,
    publishedRevision: 1,
    publishAt: null,
    publishTimezone: null,
    publishChannels: null,
    announce: false,
    scheduleToken: null,
    publishedAt: now,
    withdrawnAt: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  return item as NewsItem;
}

export function testAccount(platform: ChannelAccount['platform'], id = `${platform}-main`): ChannelAccount {
  return { id, platform, name: id, mode: 'live', state: 'ok', stateReason: null };
}

export function testDelivery(overrides: Partial<Delivery> = {}): Delivery {
  const now = new Date().toISOString();
  return {
    id: 'delivery-1',
    itemId: 'item-1',
    revision: 1,
    kind: 'channel',
    target: 'twitter-main',
    action: 'create',
    status: 'running',
    attempts: 1,
    lastError: null,
    errorKind: null,
    remoteId: null,
    remoteUrl: null,
    progress: {},
    nextAttemptAt: null,
    startedAt: now,
    finishedAt: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  } as Delivery;
}

/** A publish context whose saved progress survives between attempts, as the store would keep it. */
export function testContext(
  post: ComposedPost,
  item: NewsItem,
  account: ChannelAccount,
  delivery = testDelivery({ target: account.id }),
) {
  const saved: Array<Record<string, unknown>> = [];
  const ctx: PublishContext = {
    delivery,
    item,
    account,
    post,
    saveProgress: async (progress) => {
      saved.push(progress);
      delivery.progress = { ...delivery.progress, ...progress };
    },
    beforeSend: async () => undefined, // no queue here: the claim is never lost
  };
  return { ctx, saved, delivery };
}
