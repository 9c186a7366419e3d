import type { DeliveryAction, DeliveryKind } from './delivery.js';
import type { NewsItem } from './item.js';

/** Somewhere an item can be delivered: a channel account, the feeds, the member newsletter. */
export interface DeliveryTarget {
  kind: DeliveryKind;
  target: string;
  /** Can a later revision edit what was delivered (Facebook: yes, Twitter: no, feeds: rebuild)? */
  updates: boolean;
  deletes: boolean;
}

export interface PlannedDelivery {
  kind: DeliveryKind;
  target: string;
  action: DeliveryAction;
}

/**
 * What publishing `item` now delivers. First publication: a `create` on every target. A later revision
 * of a published item: an `update` only where the target supports updates and something was delivered.
 */
export function planPublication(
  item: NewsItem,
  targets: DeliveryTarget[],
  alreadyDelivered: Set<string>,
): PlannedDelivery[] {
  const firstTime = item.publishedRevision === null;
  return targets.flatMap((t): PlannedDelivery[] => {
    const key = `${t.kind}|${t.target}`;
    if (firstTime || !alreadyDelivered.has(key))
      return [{ kind: t.kind, target: t.target, action: 'create' }];
    return t.updates ? [{ kind: t.kind, target: t.target, action: 'update' }] : [];
  });
}

/** Withdrawing: delete posts where asked and possible; feeds always rebuild without the item. */
export function planWithdrawal(
  targets: DeliveryTarget[],
  alreadyDelivered: Set<string>,
  deletePosts: boolean,
): PlannedDelivery[] {
  return targets
    .filter((t) => alreadyDelivered.has(`${t.kind}|${t.target}`))
    .filter((t) => (t.kind === 'channel' ? deletePosts && t.deletes : t.kind === 'feed'))
    .map((t) => ({ kind: t.kind, target: t.target, action: 'delete' as const }));
}

export function isPublishedRevision(item: NewsItem): boolean {
  return item.status === 'published' && item.publishedRevision === item.revision;
}
