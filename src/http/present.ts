import type { Delivery } from '../domain/delivery.js';
import type { NewsItem } from '../domain/item.js';
import { formatInZone } from '../domain/schedule.js';
import type { Lookalike } from '../store/lookalikes.js';

/** The item as the API shows it (internal fields left out). */
export function presentItem(item: NewsItem) {
  const { scheduleToken: _internal, ...rest } = item;
  return {
    ...rest,
    publishAtLocal:
      item.publishAt && item.publishTimezone ? formatInZone(item.publishAt, item.publishTimezone) : null,
    unpublishedChanges: item.status === 'published' && item.publishedRevision !== item.revision,
  };
}

export function presentDelivery(d: Delivery) {
  return {
    id: d.id,
    revision: d.revision,
    kind: d.kind,
    target: d.target,
    action: d.action,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    errorKind: d.errorKind,
    remoteId: d.remoteId,
    remoteUrl: d.remoteUrl,
    nextAttemptAt: d.nextAttemptAt,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    createdAt: d.createdAt,
  };
}

/** Warnings (never refusals) about an item being published: others published lately with its title or link. */
export function presentLookalikes(lookalikes: Lookalike[]) {
  return lookalikes.map((l) => ({
    code: l.sameTitle ? 'same_title_recently_published' : 'same_link_recently_published',
    message: `${l.sameTitle && l.sameLink ? 'the same title and link were' : l.sameTitle ? 'the same title was' : 'the same link was'} published on ${l.publishedAt.slice(0, 10)} in item ${l.itemId}`,
    itemId: l.itemId,
    title: l.title,
    url: l.url,
    publishedAt: l.publishedAt,
    sameTitle: l.sameTitle,
    sameLink: l.sameLink,
  }));
}
