// One piece of feedback about a sent message (a bounce, a complaint, an unsubscription), from the bounce
// mailbox, a provider's webhook or the SMTP server, applied in one transaction: recorded once per
// provider event, judged by the policy (src/domain/mail-feedback.ts), the contact's status changed, the
// address suppressed, the contact's unsent messages skipped, and an audit entry written.
import type { FeedbackKind, FeedbackSource, SuppressionPolicy } from '../domain/mail-feedback.js';
import { judgeFeedback, softBounceWindowStart } from '../domain/mail-feedback.js';
import type { ContactStatus } from '../domain/member.js';
import { recordAudit } from '../store/audit.js';
import type { Store } from '../store/db.js';
import {
  addressHash,
  countFeedback,
  insertFeedbackEvent,
  suppressAddress,
  suppressionSalt,
} from '../store/mail-feedback.js';
import { findContactByEmail, getContact, setContactStatus } from '../store/members.js';
import type { StoredContact } from '../store/members.js';
import { findRecipient, skipOpenRecipientsOfContact } from '../store/newsletters.js';

export interface FeedbackReport {
  kind: FeedbackKind;
  source: FeedbackSource;
  /** The provider's id for this event: the same id is applied once. */
  eventId: string;
  /** Who it is about: the recipient row (VERP), else the contact, else the address. */
  recipientId?: string | undefined;
  contactId?: string | undefined;
  email?: string | undefined;
  newsletterId?: string | undefined;
  /** Status code, diagnostic or provider reason: shown to staff, never a secret. */
  detail: string;
  occurredAt?: string | undefined;
}

export type FeedbackResult =
  | { outcome: 'applied'; contactId: string | null; status: ContactStatus | null; suppressed: boolean }
  | { outcome: 'duplicate' }
  | { outcome: 'unknown_recipient' };

interface Subject {
  contact: StoredContact | null;
  email: string | null;
  newsletterId: string | null;
  recipientId: string | null;
}

async function subjectOf(db: Store['db'], report: FeedbackReport): Promise<Subject | null> {
  const recipient = report.recipientId ? await findRecipient(db, report.recipientId) : null;
  const contactId = recipient?.contactId ?? report.contactId;
  const contact = contactId
    ? await getContact(db, contactId).catch(() => null)
    : report.email
      ? await findContactByEmail(db, report.email)
      : null;
  const email = contact?.email ?? recipient?.email ?? report.email ?? null;
  if (!contact && !email) return null;
  return {
    contact,
    email,
    newsletterId: recipient?.newsletterId ?? report.newsletterId ?? null,
    recipientId: recipient?.id ?? null,
  };
}

export async function applyFeedback(
  store: Store,
  policy: SuppressionPolicy,
  report: FeedbackReport,
): Promise<FeedbackResult> {
  const occurredAt = report.occurredAt ?? new Date().toISOString();
  return store.transaction(async (trx) => {
    const subject = await subjectOf(trx, report);
    if (!subject) return { outcome: 'unknown_recipient' };
    const { contact } = subject;
    const event = await insertFeedbackEvent(trx, {
      kind: report.kind,
      source: report.source,
      providerEventId: report.eventId,
      contactId: contact?.id ?? null,
      newsletterId: subject.newsletterId,
      recipientId: subject.recipientId,
      detail: report.detail.slice(0, 1000),
      occurredAt,
    });
    if (!event) return { outcome: 'duplicate' };
    const softs =
      contact && report.kind === 'soft'
        ? await countFeedback(trx, contact.id, 'soft', softBounceWindowStart(new Date(occurredAt), policy))
        : 0;
    const verdict = judgeFeedback(report.kind, contact?.status ?? 'active', softs, policy);
    let status: ContactStatus | null = null;
    if (
      contact &&
      verdict.status &&
      (await setContactStatus(
        trx,
        contact.id,
        verdict.status,
        `${report.kind} (${report.source}): ${event.detail}`.slice(0, 500),
      ))
    ) {
      status = verdict.status;
      await skipOpenRecipientsOfContact(trx, contact.id, `not sent: the contact is ${status}`);
    }
    if (verdict.suppress && subject.email) {
      await suppressAddress(trx, addressHash(await suppressionSalt(trx), subject.email), {
        reason: verdict.suppress,
        source: report.source,
        contactId: contact?.id ?? null,
        detail: event.detail,
      });
    }
    if (contact) {
      await recordAudit(trx, {
        actor: report.source,
        action: `mail_${report.kind}`,
        subjectType: 'contact',
        subjectId: contact.id,
        details: {
          event: event.id,
          newsletter: subject.newsletterId,
          detail: event.detail,
          status,
          suppressed: verdict.suppress,
        },
      });
    }
    return {
      outcome: 'applied',
      contactId: contact?.id ?? null,
      status,
      suppressed: verdict.suppress !== null,
    };
  });
}
