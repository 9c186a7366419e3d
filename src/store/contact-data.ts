// Everything held about one contact (GDPR access), and its erasure (GDPR erasure): the contact row,
// the copies of its address on recipient rows, its feedback events and its history in the audit log.
// Erasure keeps what stops the address from being mailed again: the salted hash in the suppression
// list (reason `erased`), and the newsletters' counts (recipient rows and events stay, anonymous).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { AuditEntry } from './audit.js';
import { listAudit } from './audit.js';
import type { FeedbackEvent, Suppression } from './mail-feedback.js';
import { addressHash, findSuppression, listFeedbackEvents, suppressAddress } from './mail-feedback.js';
import type { StoredAuthority, StoredContact } from './members.js';
import { containsCi, findAuthority } from './members.js';
import { emailKey } from '../domain/member.js';
import type { Consent, SubscriptionRequest } from './subscriptions.js';
import { deleteSubscriptionRecords, listConsents, listSubscriptionRequests } from './subscriptions.js';

type Db = Kysely<Database>;

export interface ContactRecords {
  contact: StoredContact;
  authority: StoredAuthority | null;
  /** One per newsletter sent (or about to be sent) to the contact, with the address it went to. */
  recipients: Array<{
    newsletterId: string;
    email: string;
    name: string;
    language: string;
    status: string;
    sentAt: string | null;
    reply: string | null;
  }>;
  feedback: FeedbackEvent[];
  suppression: Pick<Suppression, 'reason' | 'source' | 'createdAt'> | null;
  history: AuditEntry[];
  /** Consents given on the public form: when, from where, under which wording. */
  consents: Consent[];
  subscriptionRequests: SubscriptionRequest[];
}

export async function contactRecords(db: Db, contact: StoredContact, salt: string): Promise<ContactRecords> {
  const hash = addressHash(salt, contact.email);
  const [authority, recipients, feedback, suppression, history, consents, requests] = await Promise.all([
    contact.authorityId ? findAuthority(db, contact.authorityId) : null,
    db
      .selectFrom('newsletterRecipients')
      .select(['newsletterId', 'email', 'name', 'language', 'status', 'sentAt', 'reply'])
      .where('contactId', '=', contact.id)
      .orderBy('createdAt')
      .execute(),
    listFeedbackEvents(db, { contactId: contact.id }),
    findSuppression(db, hash),
    listAudit(db, 'contact', contact.id),
    listConsents(db, contact.id),
    listSubscriptionRequests(db, hash, contact.id),
  ]);
  return {
    contact,
    authority,
    recipients,
    feedback,
    suppression: suppression
      ? { reason: suppression.reason, source: suppression.source, createdAt: suppression.createdAt }
      : null,
    history,
    consents,
    subscriptionRequests: requests,
  };
}

export interface ErasureCounts {
  recipients: number;
  feedbackEvents: number;
  auditEntries: number;
  unparsedReports: number;
  subscriptionRequests: number;
}

/**
 * Erases the contact in one transaction (the caller's). Recipient rows and feedback events keep their
 * status under a random id that names nobody, so each newsletter's counts and rates stay true.
 */
export async function eraseContactRecords(
  db: Db,
  contact: StoredContact,
  salt: string,
): Promise<ErasureCounts> {
  const anonymous = `erased_${randomBytes(12).toString('hex')}`;
  const key = emailKey(contact.email);
  const hash = addressHash(salt, contact.email);
  const recipients = await db
    .updateTable('newsletterRecipients')
    .set({ contactId: anonymous, email: '', name: '', authorityName: '', reply: null })
    .where('contactId', '=', contact.id)
    .executeTakeFirst();
  const events = await db
    .updateTable('mailFeedbackEvents')
    .set({ contactId: anonymous, detail: '' })
    .where('contactId', '=', contact.id)
    .executeTakeFirst();
  await suppressAddress(db, hash, { reason: 'erased', source: 'erasure', contactId: null, detail: '' });
  // The hash stays; nothing else in the list may point at the person.
  await db
    .updateTable('mailSuppressions')
    .set({ contactId: null, detail: '' })
    .where('addressHash', '=', hash)
    .execute();
  const audit = await db
    .deleteFrom('auditLog')
    .where((eb) =>
      eb.or([
        eb.and([eb('subjectType', '=', 'contact'), eb('subjectId', '=', contact.id)]),
        containsCi('details', key),
        containsCi('details', contact.id),
      ]),
    )
    .executeTakeFirst();
  const unparsed = await db
    .deleteFrom('mailFeedbackUnparsed')
    .where(containsCi('sender', key))
    .executeTakeFirst();
  const requests = await deleteSubscriptionRecords(db, hash, contact.id);
  await db.deleteFrom('contacts').where('id', '=', contact.id).execute();
  return {
    recipients: Number(recipients.numUpdatedRows),
    feedbackEvents: Number(events.numUpdatedRows),
    auditEntries: Number(audit.numDeletedRows),
    unparsedReports: Number(unparsed.numDeletedRows),
    subscriptionRequests: requests,
  };
}
