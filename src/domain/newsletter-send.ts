// Newsletters and their recipients: states and the rules between them. No I/O.
import type { NewsletterKind } from './newsletter.js';

export const NEWSLETTER_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'cancelled', 'sent'] as const;
export type NewsletterStatus = (typeof NEWSLETTER_STATUSES)[number];

/**
 * pending: waiting for its turn; sending: claimed by a worker (the attempt may be under way);
 * deferred: a temporary failure, retried at nextAttemptAt; sent: the server accepted it;
 * bounced: refused for good (the contact is marked bounced); failed: cannot be sent as it is;
 * skipped: the contact unsubscribed or bounced meanwhile; unknown: transmission started but no reply
 * came (a person decides, unless unknownOutcome is `resend`); cancelled: the newsletter was cancelled.
 */
export const RECIPIENT_STATUSES = [
  'pending',
  'sending',
  'deferred',
  'sent',
  'bounced',
  'failed',
  'skipped',
  'unknown',
  'cancelled',
] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** Still to be worked on by the queue. */
export const OPEN_RECIPIENT_STATUSES: readonly RecipientStatus[] = ['pending', 'sending', 'deferred'];

/** What the newsletter source was: a person, an item published with "announce", the digest schedule. */
export type NewsletterSource = 'staff' | 'announce' | 'digest';

export interface Newsletter {
  id: string;
  kind: NewsletterKind;
  itemIds: string[];
  subject: string | null;
  status: NewsletterStatus;
  source: NewsletterSource;
  scheduledAt: string | null;
  scheduleToken: string | null;
  /** The items as they were when sending started (what every recipient and the web version see). */
  content: unknown[] | null;
  /** The compiled layout (MJML output) fixed when sending started. */
  layout: string | null;
  digestFrom: string | null;
  digestTo: string | null;
  recipientsTotal: number;
  startedAt: string | null;
  sentAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Recipient {
  id: string;
  newsletterId: string;
  contactId: string;
  /** Snapshots taken when the send started. */
  email: string;
  name: string;
  language: string;
  authorityName: string;
  status: RecipientStatus;
  attempts: number;
  nextAttemptAt: string | null;
  claimedAt: string | null;
  /** Set the moment the message's bytes start to go to the server: from then on it may be accepted. */
  transmittedAt: string | null;
  /** The server's reply (or why it was not sent). */
  reply: string | null;
  messageId: string | null;
  sentAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewsletterAction = 'edit' | 'send' | 'schedule' | 'pause' | 'resume' | 'cancel' | 'resolve';

const ALLOWED: Record<NewsletterAction, readonly NewsletterStatus[]> = {
  edit: ['draft'],
  send: ['draft', 'scheduled'],
  schedule: ['draft', 'scheduled'],
  pause: ['sending'],
  resume: ['paused'],
  cancel: ['draft', 'scheduled', 'sending', 'paused'],
  resolve: ['sending', 'paused', 'sent'],
};

export function canDoNewsletter(action: NewsletterAction, status: NewsletterStatus): boolean {
  return ALLOWED[action].includes(status);
}

export function allowedFrom(action: NewsletterAction): readonly NewsletterStatus[] {
  return ALLOWED[action];
}

export type ProgressCounts = Record<RecipientStatus, number> & { total: number };

export function emptyProgress(): ProgressCounts {
  return Object.fromEntries([...RECIPIENT_STATUSES.map((s) => [s, 0]), ['total', 0]]) as ProgressCounts;
}

/** Share of recipients that need nothing more (0-1); 1 for a newsletter with no recipients. */
export function doneRatio(p: ProgressCounts): number {
  if (p.total === 0) return 1;
  const open = OPEN_RECIPIENT_STATUSES.reduce((n, s) => n + p[s], 0);
  return (p.total - open) / p.total;
}
