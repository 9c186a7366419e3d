import type { Delivery } from '../domain/delivery.js';
import type { NewsItem } from '../domain/item.js';
import { formatInZone } from '../domain/schedule.js';

/** The item as the API shows it (internal fields left out). */
export function presentItem(item: NewsItem) {
  const { scheduleToken: _internal, ...rest } = item;
  return {
    ...rest,
    publishAtLocal: item.publishAt && item.publishTimezone ? formatInZone(item.publishAt, item.publishTimezone) : null,
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
