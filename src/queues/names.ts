import type { DeliveryKind } from '../domain/delivery.js';

/** Every queue Herald uses. `herald worker <name...>` takes these names. */
export const QUEUE_NAMES = ['publish', 'channel', 'feed', 'ingest', 'newsletter', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * Queues of earlier releases. After an upgrade their jobs are stale copies: the reconciler re-adds every open
 * delivery under its current queue, then empties these (`Queues.dropRetiredQueues`).
 */
export const RETIRED_QUEUES = ['social'] as const;

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}

const DELIVERY_QUEUE: Record<DeliveryKind, QueueName> = {
  channel: 'channel',
  feed: 'feed',
  newsletter: 'newsletter',
};

export function queueForDelivery(kind: DeliveryKind): QueueName {
  return DELIVERY_QUEUE[kind];
}

/** BullMQ job ids may not contain ':' nor be all digits; ours are prefixed ids joined by '_'. */
export const publishJobId = (itemId: string, scheduleToken: string): string =>
  `pub_${itemId}_${scheduleToken}`;

export const newsletterStartJobId = (newsletterId: string, token: string): string =>
  `nls_${newsletterId}_${token}`;

/** The `feed` queue's check: rebuild the feeds if they are behind (periodic, and asked for after an alt text edit). */
export const FEED_CHECK_JOB = 'check';

/** Job names on the `newsletter` queue. */
export const NEWSLETTER_JOB = {
  send: 'send',
  start: 'start',
  digest: 'digest',
  sweep: 'sweep',
  deliver: 'deliver',
  bounces: 'bounces',
} as const;
