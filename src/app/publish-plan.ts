import type { NewsItem } from '../domain/item.js';
import { getItem, updateItemState } from '../store/items.js';
import { recordAudit } from '../store/audit.js';
import { toJson } from '../store/json.js';
import { validateChannels, type FlowDeps } from './publishing.js';

export interface PublishPlan {
  /** Channel accounts chosen, or null for all of them. */
  channels: string[] | null;
  announce: boolean;
}

/** The plan as the items table stores it. */
export const planColumns = (plan: PublishPlan) => ({
  publishChannels: plan.channels ? toJson(plan.channels) : null,
  announce: plan.announce ? 1 : 0,
});

const sameChannels = (a: string[] | null, b: string[] | null) =>
  a === null || b === null ? a === b : a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * Keeps what a person chose for the publication (channels, newsletter announcement) when they only save.
 * A scheduled item goes out with this plan when its time comes (the publish job reads it then); a draft
 * shows it again in the editor. A published item keeps the plan it went out with: changing it means
 * publishing again.
 */
export async function savePublishPlan(
  deps: FlowDeps,
  itemId: string,
  plan: PublishPlan,
  actor: string,
): Promise<NewsItem> {
  const current = await getItem(deps.store.db, itemId);
  if (current.status !== 'scheduled' && current.status !== 'draft') return current;
  validateChannels(deps, current, plan.channels ?? undefined);
  return deps.store.transaction(async (trx) => {
    const item = await getItem(trx, itemId);
    if (sameChannels(item.publishChannels, plan.channels) && item.announce === plan.announce) return item;
    await updateItemState(trx, itemId, planColumns(plan));
    await recordAudit(trx, {
      actor,
      action: 'plan_changed',
      subjectType: 'item',
      subjectId: itemId,
      details: { channels: plan.channels ?? 'all', announce: plan.announce },
    });
    return getItem(trx, itemId);
  });
}
