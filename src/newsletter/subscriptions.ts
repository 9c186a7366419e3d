// What a contact does through the links in a newsletter: unsubscribe, change preferences.
import type { ContactStatus } from '../domain/member.js';
import { validatePreferences } from '../domain/member.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import type { StoredContact } from '../store/members.js';
import { getContact, setContactStatus, updateContact } from '../store/members.js';
import { skipOpenRecipientsOfContact } from '../store/newsletters.js';

/**
 * Unsubscribes from every newsletter, at once: messages of a send already under way that have not
 * gone out are skipped. Returns false when the contact was not subscribed.
 */
export async function unsubscribe(
  store: Store,
  contactId: string,
  details: { newsletterId?: string | undefined; via: string },
): Promise<boolean> {
  return store.transaction(async (trx) => {
    const changed = await setContactStatus(trx, contactId, 'unsubscribed', `unsubscribed (${details.via})`, [
      'active',
      'bounced',
    ]);
    if (!changed) return false;
    const skipped = await skipOpenRecipientsOfContact(trx, contactId, 'not sent: the contact unsubscribed');
    await recordAudit(trx, {
      actor: 'contact',
      action: 'contact_unsubscribed',
      subjectType: 'contact',
      subjectId: contactId,
      details: { ...details, skipped },
    });
    return true;
  });
}

/**
 * The contact's own choices. Choosing a newsletter again after unsubscribing subscribes them again (it is
 * their own signed link); a bounced or complained address stays as it is until staff look at it.
 */
export async function savePreferences(
  store: Store,
  contactId: string,
  input: unknown,
): Promise<StoredContact> {
  const prefs = validatePreferences(input);
  return store.transaction(async (trx) => {
    const before = await getContact(trx, contactId);
    const after = await updateContact(trx, contactId, {
      language: prefs.language,
      subscriptions: prefs.subscriptions,
    });
    const wantsSome = after.subscriptions.announcements || after.subscriptions.digest;
    let status: ContactStatus = after.status;
    if (before.status === 'unsubscribed' && wantsSome) {
      await setContactStatus(trx, contactId, 'active', 'subscribed again on the preferences page', [
        'unsubscribed',
      ]);
      status = 'active';
    }
    if (!wantsSome)
      await skipOpenRecipientsOfContact(trx, contactId, 'not sent: the contact chose no newsletters');
    await recordAudit(trx, {
      actor: 'contact',
      action: 'contact_preferences',
      subjectType: 'contact',
      subjectId: contactId,
      details: { language: after.language, subscriptions: after.subscriptions, status },
    });
    return getContact(trx, contactId);
  });
}
