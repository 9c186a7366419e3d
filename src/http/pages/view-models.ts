import { DateTime } from 'luxon';
import { deliveryHold } from '../../domain/account-hold.js';
import type { Delivery } from '../../domain/delivery.js';
import { isHttpUrl, type NewsItem } from '../../domain/item.js';
import type { StoredAccount } from '../../store/accounts.js';
import type { Views } from './views.js';
import { DRY_RUN_POST_ID } from '../schemas.js';

// Shapes the templates read. Templates only format; decisions (labels, links, what may be retried) are here.

export type AccountNames = Map<string, string>;

export function accountNames(accounts: StoredAccount[]): AccountNames {
  return new Map(accounts.map((a) => [a.id, a.name]));
}

export function targetName(views: Views, names: AccountNames, d: Pick<Delivery, 'kind' | 'target'>): string {
  if (d.kind === 'channel') return names.get(d.target) ?? d.target;
  return views.t(`target.${d.kind}`, { target: d.target });
}

/** Only http(s) links are ever rendered as links (a remote URL is data from elsewhere). */
export const safeLink = (url: string | null): string | null => (url && isHttpUrl(url) ? url : null);

/**
 * Where "View the post" goes: a dry-run post's readable page (its JSON stays at the API address the
 * delivery records), else the platform's link.
 */
export function postLink(d: Pick<Delivery, 'remoteId' | 'remoteUrl'>): string | null {
  const id = d.remoteId ?? '';
  if (DRY_RUN_POST_ID.test(id) && d.remoteUrl?.endsWith(`/api/dry-run-posts/${id}`))
    return `/dry-run-posts/${id}`;
  return safeLink(d.remoteUrl);
}

export function deliveryView(views: Views, names: AccountNames, d: Delivery) {
  return {
    id: d.id,
    target: targetName(views, names, d),
    targetId: d.target,
    kind: d.kind,
    action: views.t(`delivery.action.${d.action}`),
    status: d.status,
    statusLabel: views.t(`delivery.status.${d.status}`),
    attempts: d.attempts,
    remoteUrl: postLink(d),
    linkLabel: views.t(d.kind === 'channel' ? 'item.viewPost' : `item.view.${d.kind}`),
    error: d.lastError,
    errorKind: d.errorKind ? views.t(`delivery.errorKind.${d.errorKind}`) : null,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
    finishedAt: d.finishedAt,
    revision: d.revision,
    canRetry: d.status === 'failed',
    canRelease: d.status === 'pending' && deliveryHold(d.progress)?.reason === 'over_budget',
    /** A thread the platform let through only in part (the adapter's plain words). */
    partial: typeof d.progress.threadPartial === 'string' ? d.progress.threadPartial : null,
  };
}

export function itemRow(views: Views, item: NewsItem) {
  return {
    id: item.id,
    title: item.title,
    status: item.status,
    statusLabel: views.t(`item.status.${item.status}`),
    publishAt: item.publishAt,
    publishTimezone: item.publishTimezone,
    publishedAt: item.publishedAt,
    updatedAt: item.updatedAt,
    revision: item.revision,
    unpublishedChanges: item.status === 'published' && item.publishedRevision !== item.revision,
  };
}

/** Groups scheduled items by calendar day in the viewer's zone ("Today", "Tomorrow", then dates). */
export function byDay(views: Views, items: NewsItem[], zone: string, now = DateTime.now()) {
  const today = now.setZone(zone).startOf('day');
  const days = new Map<
    string,
    { label: string; date: string; overdue: boolean; items: ReturnType<typeof itemRow>[] }
  >();
  for (const item of items) {
    const local = DateTime.fromISO(item.publishAt!, { zone: 'UTC' }).setZone(zone);
    const day = local.startOf('day');
    const overdue = local < now;
    const key = overdue ? 'overdue' : day.toISODate()!;
    if (!days.has(key))
      days.set(key, {
        label: dayLabel(views, day, today, overdue),
        date: day.toISODate()!,
        overdue,
        items: [],
      });
    days.get(key)!.items.push(itemRow(views, item));
  }
  return [...days.values()];
}

function dayLabel(views: Views, day: DateTime, today: DateTime, overdue: boolean): string {
  if (overdue) return views.t('dashboard.overdue');
  const diff = Math.round(day.diff(today, 'days').days);
  if (diff === 0) return views.t('dashboard.today');
  if (diff === 1) return views.t('dashboard.tomorrow');
  return day.setLocale(views.i18n.language).toFormat('cccc d LLLL');
}
