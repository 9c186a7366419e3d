import { ITEM_STATUSES } from '../../domain/item.js';
import type { Views } from './views.js';

/** "Items: 1 draft, 2 scheduled, 0 published, 0 withdrawn.": each count through its own plural forms. */
export function itemCountsText(views: Views, counts: Record<string, number>): string {
  const parts = Object.fromEntries(
    ITEM_STATUSES.map((s) => [s, views.t(`dashboard.count.${s}`, { count: counts[s] ?? 0 })]),
  );
  return views.t('dashboard.counts', parts);
}
