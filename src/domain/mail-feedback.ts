// What a bounce, a complaint or an unsubscription does to a contact. Pure rules; the store applies them.
import type { ContactStatus } from './member.js';

export const FEEDBACK_KINDS = ['hard', 'soft', 'complaint', 'unsubscribe'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

/** Who told us: the bounce mailbox, the SMTP server at send time, or a provider's webhook. */
export const FEEDBACK_SOURCES = [
  'mailbox',
  'smtp',
  'mailgun',
  'ses',
  'postmark',
  'sendgrid',
  'brevo',
] as const;
export type FeedbackSource = (typeof FEEDBACK_SOURCES)[number];

/** Why an address is on the suppression list. */
export type SuppressionReason = 'hard' | 'soft' | 'complaint' | 'erased';

export interface SuppressionPolicy {
  /** Soft bounces within the window that suppress an address. */
  softBounces: number;
  softBounceDays: number;
}

export const DEFAULT_SUPPRESSION_POLICY: SuppressionPolicy = { softBounces: 3, softBounceDays: 15 };

export interface FeedbackVerdict {
  /** The contact's new status, or null to leave it. */
  status: ContactStatus | null;
  /** Put the address on the suppression list for this reason, or null. */
  suppress: SuppressionReason | null;
}

const NOTHING: FeedbackVerdict = { status: null, suppress: null };

/**
 * - a hard bounce or a complaint suppresses at once;
 * - soft bounces suppress once `softBounces` of them fall within `softBounceDays` (this one counted);
 * - a complaint outranks everything: a complained contact stays complained until they opt in again;
 * - an unsubscription changes an active or bounced contact, and suppresses nothing (it is the contact's
 *   choice, which their preferences link can undo).
 */
export function judgeFeedback(
  kind: FeedbackKind,
  current: ContactStatus,
  recentSoftBounces: number,
  policy: SuppressionPolicy,
): FeedbackVerdict {
  switch (kind) {
    case 'complaint':
      return { status: current === 'complained' ? null : 'complained', suppress: 'complaint' };
    case 'hard':
      return { status: current === 'active' ? 'bounced' : null, suppress: 'hard' };
    case 'soft':
      if (recentSoftBounces < policy.softBounces) return NOTHING;
      return { status: current === 'active' ? 'bounced' : null, suppress: 'soft' };
    case 'unsubscribe':
      return {
        status: current === 'active' || current === 'bounced' ? 'unsubscribed' : null,
        suppress: null,
      };
  }
}

/** The start of the window soft bounces are counted in. */
export function softBounceWindowStart(now: Date, policy: SuppressionPolicy): string {
  return new Date(now.getTime() - policy.softBounceDays * 86_400_000).toISOString();
}

const REASON_RANK: Record<SuppressionReason, number> = { soft: 0, hard: 1, erased: 2, complaint: 3 };

/** The reason an address stays suppressed for when two apply: a complaint is never downgraded. */
export function strongerReason(a: SuppressionReason, b: SuppressionReason): SuppressionReason {
  return REASON_RANK[a] >= REASON_RANK[b] ? a : b;
}

/** What the import report and the API say about a suppressed address. */
export function suppressionExplanation(reason: SuppressionReason): string {
  switch (reason) {
    case 'complaint':
      return 'the address complained about our mail (marked it as spam); only its owner can subscribe again, through the double opt-in form';
    case 'hard':
      return 'the address bounced permanently; fix the address, or clear the bounce on the contact';
    case 'soft':
      return 'the address bounced temporarily too often; clear the bounce on the contact once it works again';
    case 'erased':
      return 'the contact was erased at their request (GDPR); only its owner can subscribe again, through the double opt-in form';
  }
}

/** Gmail's target and limit for the share of messages reported as spam. */
export const COMPLAINT_RATE_WARN = 0.001;
export const COMPLAINT_RATE_ALARM = 0.003;

export interface FeedbackSummary {
  delivered: number;
  bounced: { hard: number; soft: number };
  complained: number;
  unsubscribed: number;
  /** Shares of the messages sent (0..1); 0 before anything was sent. */
  rates: {
    delivered: number;
    hardBounced: number;
    softBounced: number;
    complained: number;
    unsubscribed: number;
  };
  /** ok below 0.1% complaints, warn from 0.1% (Gmail's target), alarm from 0.3% (its limit). */
  complaintLevel: 'ok' | 'warn' | 'alarm';
}

/** A newsletter's outcome: `sent` messages accepted by the server, then what feedback said about them. */
export function summariseFeedback(sent: number, counts: Record<FeedbackKind, number>): FeedbackSummary {
  const delivered = Math.max(0, sent - counts.hard);
  const rate = (n: number) => (sent > 0 ? n / sent : 0);
  const complained = rate(counts.complaint);
  return {
    delivered,
    bounced: { hard: counts.hard, soft: counts.soft },
    complained: counts.complaint,
    unsubscribed: counts.unsubscribe,
    rates: {
      delivered: rate(delivered),
      hardBounced: rate(counts.hard),
      softBounced: rate(counts.soft),
      complained,
      unsubscribed: rate(counts.unsubscribe),
    },
    complaintLevel:
      complained >= COMPLAINT_RATE_ALARM ? 'alarm' : complained >= COMPLAINT_RATE_WARN ? 'warn' : 'ok',
  };
}
