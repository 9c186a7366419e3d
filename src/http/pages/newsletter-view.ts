import {
  canDoNewsletter,
  doneRatio,
  type Newsletter,
  type ProgressCounts,
  type Recipient,
} from '../../domain/newsletter-send.js';
import type { Views } from './views.js';
import { mailReplyText } from './mail-reply.js';

/** "120 sent, 80 to go, 2 failed or bounced, 0 unknown, of 202" in the page's language. */
export function progressText(views: Views, p: ProgressCounts): string {
  return views.t('newsletter.progress', {
    sent: p.sent,
    open: p.pending + p.sending + p.deferred,
    failed: p.failed + p.bounced,
    unknown: p.unknown,
    skipped: p.skipped + p.cancelled,
    total: p.total,
  });
}

export function newsletterRow(views: Views, n: Newsletter, p: ProgressCounts) {
  return {
    id: n.id,
    title: n.subject ?? views.t(`newsletter.kind.${n.kind}`),
    kind: views.t(`newsletter.kind.${n.kind}`),
    status: n.status,
    statusLabel: views.t(`newsletter.status.${n.status}`),
    items: n.itemIds.length,
    scheduledAt: n.scheduledAt,
    sentAt: n.sentAt,
    createdAt: n.createdAt,
    createdBy: n.createdBy,
    percent: Math.round(doneRatio(p) * 100),
    progress: progressText(views, p),
    total: p.total,
    needsDecision: p.unknown > 0,
  };
}

export function newsletterActions(n: Newsletter, p: ProgressCounts) {
  return {
    edit: canDoNewsletter('edit', n.status),
    send: canDoNewsletter('send', n.status),
    schedule: canDoNewsletter('schedule', n.status),
    pause: canDoNewsletter('pause', n.status),
    resume: canDoNewsletter('resume', n.status),
    cancel: canDoNewsletter('cancel', n.status),
    resolve: canDoNewsletter('resolve', n.status) && p.unknown > 0,
  };
}

export function recipientRow(views: Views, r: Recipient) {
  return {
    email: r.email,
    name: r.name,
    authority: r.authorityName,
    language: r.language,
    status: r.status,
    statusLabel: views.t(`recipient.status.${r.status}`),
    attempts: r.attempts,
    reply: mailReplyText(views, r.reply, r.messageId),
    sentAt: r.sentAt,
    failed: r.status === 'failed' || r.status === 'bounced' || r.status === 'unknown',
  };
}
