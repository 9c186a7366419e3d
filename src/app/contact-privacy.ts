// GDPR for one contact: the export of everything held about them (JSON) and their erasure. Both are
// audited; the erasure's audit entry names the contact's id only (the row it named is gone).
import { findContactByEmail, getContact, type StoredContact } from '../store/members.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { suppressionSalt } from '../store/mail-feedback.js';
import { skipOpenRecipientsOfContact } from '../store/newsletters.js';
import type { ContactRecords, ErasureCounts } from '../store/contact-data.js';
import { contactRecords, eraseContactRecords } from '../store/contact-data.js';
import { NotFoundError } from '../domain/errors.js';

export interface ContactExport extends ContactRecords {
  exportedAt: string;
}

/** A contact by id (`ctc_...`) or by address, as the CLI takes either. */
export async function findContactByRef(store: Store, ref: string): Promise<StoredContact> {
  if (ref.includes('@')) {
    const found = await findContactByEmail(store.db, ref);
    if (!found) throw new NotFoundError('contact', ref.slice(0, 254));
    return found;
  }
  return getContact(store.db, ref);
}

export async function exportContact(store: Store, contactId: string, actor: string): Promise<ContactExport> {
  const contact = await getContact(store.db, contactId);
  const records = await contactRecords(store.db, contact, await suppressionSalt(store.db));
  await recordAudit(store.db, {
    actor,
    action: 'contact_exported',
    subjectType: 'contact',
    subjectId: contact.id,
  });
  return { exportedAt: new Date().toISOString(), ...records };
}

export interface ErasureReport extends ErasureCounts {
  contactId: string;
  erasedAt: string;
}

/**
 * Removes the person: their contact row, their address and name wherever a copy was kept, their
 * history. Messages of a send under way that have not gone out are skipped first. The address stays
 * on the suppression list as a salted hash, so an import cannot bring it back; only its owner can,
 * through the double opt-in form.
 */
export async function eraseContact(store: Store, contactId: string, actor: string): Promise<ErasureReport> {
  return store.transaction(async (trx) => {
    const contact = await getContact(trx, contactId);
    const salt = await suppressionSalt(trx);
    await skipOpenRecipientsOfContact(trx, contact.id, 'not sent: the contact was erased');
    const counts = await eraseContactRecords(trx, contact, salt);
    await recordAudit(trx, {
      actor,
      action: 'contact_erased',
      subjectType: 'contact',
      subjectId: contact.id,
      details: { ...counts },
    });
    return { contactId: contact.id, erasedAt: new Date().toISOString(), ...counts };
  });
}
