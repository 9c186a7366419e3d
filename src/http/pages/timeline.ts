import type { Delivery } from '../../domain/delivery.js';
import { formatInZone } from '../../domain/schedule.js';
import type { AuditEntry } from '../../store/audit.js';
import type { Views } from './views.js';
import { postLink, targetName, type AccountNames } from './view-models.js';

export interface TimelineEntry {
  at: string;
  actor: string;
  text: string;
  detail: string | null;
  link: string | null;
  kind: 'ok' | 'error' | 'info';
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);

function auditEntry(views: Views, names: AccountNames, e: AuditEntry): TimelineEntry {
  const d = e.details;
  const target = typeof d.target === 'string' ? (names.get(d.target) ?? d.target) : '';
  const params: Record<string, unknown> = { revision: d.revision, target };
  if (typeof d.at === 'string' && typeof d.timezone === 'string')
    params.when = formatInZone(d.at, d.timezone);
  else if (typeof d.at === 'string') params.when = d.at;
  const copy = e.action === 'created' && typeof d.copyOf === 'string';
  const key = copy
    ? 'timeline.createdCopy'
    : views.i18n.has(`timeline.${e.action}`)
      ? `timeline.${e.action}`
      : 'timeline.other';
  let detail: string | null = null;
  if (e.action === 'edited' && Array.isArray(d.fields))
    detail = views.t('timeline.fields', { fields: d.fields.join(', ') });
  if (e.action === 'delivery_failed') detail = str(d.reason);
  if (e.action.startsWith('review_') && typeof d.comment === 'string') detail = d.comment;
  if (e.action === 'withdrawn') detail = d.deletePosts ? views.t('timeline.withdrawn.delete') : null;
  return {
    at: e.at,
    actor: e.actor,
    text: views.t(key, { ...params, action: e.action }),
    detail,
    link: null,
    kind: e.action === 'delivery_failed' ? 'error' : 'info',
  };
}

function deliveryEntry(views: Views, names: AccountNames, d: Delivery): TimelineEntry | null {
  if (d.status !== 'done' || !d.finishedAt) return null;
  const text = views.t(`timeline.delivered.${d.action}`, {
    target: targetName(views, names, d),
    revision: d.revision,
  });
  return { at: d.finishedAt, actor: 'worker', text, detail: null, link: postLink(d), kind: 'ok' };
}

/** Everything that happened to an item: the audit log plus each delivery that completed, oldest first. */
export function itemTimeline(
  views: Views,
  names: AccountNames,
  audit: AuditEntry[],
  deliveries: Delivery[],
): TimelineEntry[] {
  const entries = [
    ...audit.map((e) => auditEntry(views, names, e)),
    ...deliveries.map((d) => deliveryEntry(views, names, d)).filter((e): e is TimelineEntry => e !== null),
  ];
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}
