// Staff edits of member authorities and contacts: validation (every problem named), audit, the rules
// around a contact's status.
import { ConflictError, ValidationError } from '../domain/errors.js';
import type { ContactStatus } from '../domain/member.js';
import { suppressionExplanation } from '../domain/mail-feedback.js';
import {
  emailKey,
  normaliseEmail,
  normaliseLanguage,
  normaliseName,
  validateAuthorityFields,
  validateContactFields,
} from '../domain/member.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import {
  addressHash,
  liftSuppression,
  suppressionOfAddress,
  suppressionSalt,
} from '../store/mail-feedback.js';
import type { StoredAuthority, StoredContact } from '../store/members.js';
import {
  getAuthority,
  getContact,
  insertAuthority,
  insertContact,
  setContactStatus,
  updateAuthority,
  updateContact,
} from '../store/members.js';
import { skipOpenRecipientsOfContact } from '../store/newsletters.js';

export async function createAuthority(store: Store, input: unknown, actor: string): Promise<StoredAuthority> {
  const fields = validateAuthorityFields(input);
  const authority = await insertAuthority(store.db, fields);
  await recordAudit(store.db, {
    actor,
    action: 'member_created',
    subjectType: 'authority',
    subjectId: authority.id,
    details: { ...fields },
  });
  return authority;
}

export async function editAuthority(
  store: Store,
  id: string,
  patch: { name?: string | undefined; country?: string | undefined; regionType?: string | undefined },
  actor: string,
): Promise<StoredAuthority> {
  const current = await getAuthority(store.db, id);
  const fields = validateAuthorityFields({
    name: patch.name ?? current.name,
    country: patch.country ?? current.country,
    regionType: patch.regionType ?? current.regionType,
  });
  const updated = await updateAuthority(store.db, id, fields);
  await recordAudit(store.db, {
    actor,
    action: 'member_edited',
    subjectType: 'authority',
    subjectId: id,
    details: { fields: Object.keys(patch) },
  });
  return updated;
}

/** A suppressed address (complaint, bounce, erasure) is never added back silently. */
async function refuseSuppressed(store: Store, email: string): Promise<void> {
  const suppression = await suppressionOfAddress(store.db, email);
  if (suppression)
    throw new ConflictError(
      `${email} is suppressed: ${suppressionExplanation(suppression.reason)}`,
      'address_suppressed',
    );
}

export async function createContact(store: Store, input: unknown, actor: string): Promise<StoredContact> {
  const fields = validateContactFields(input);
  await refuseSuppressed(store, fields.email);
  const contact = await insertContact(store.db, fields);
  await recordAudit(store.db, {
    actor,
    action: 'contact_created',
    subjectType: 'contact',
    subjectId: contact.id,
    details: { authority: fields.authorityId },
  });
  return contact;
}

export interface ContactPatch {
  authorityId?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  language?: string | undefined;
  subscriptions?: { announcements?: boolean | undefined; digest?: boolean | undefined } | undefined;
  status?: ContactStatus | undefined;
}

function validatePatch(patch: ContactPatch): ContactPatch {
  const problems: Record<string, string> = {};
  const email = patch.email === undefined ? undefined : normaliseEmail(patch.email);
  if (patch.email !== undefined && email === null) problems.email = 'must be a valid email address';
  const language = patch.language === undefined ? undefined : normaliseLanguage(patch.language);
  if (patch.language !== undefined && language === null)
    problems.language = 'must be a supported language code such as en or fr';
  const name = patch.name === undefined ? undefined : normaliseName(patch.name);
  if (name !== undefined && name.length > 200) problems.name = 'must be at most 200 characters';
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  return { ...patch, email: email ?? undefined, language: language ?? undefined, name };
}

/**
 * Staff may unsubscribe a contact (asked by phone) or clear a bounce once the address is fixed; they
 * cannot subscribe again someone who unsubscribed: only the contact can, on their preferences page.
 */
async function changeStatus(
  store: Store,
  contact: StoredContact,
  to: ContactStatus,
  actor: string,
): Promise<void> {
  if (to === contact.status) return;
  if (to === 'active' && contact.status === 'unsubscribed') {
    throw new ConflictError(
      'a contact who unsubscribed can only subscribe again themselves, from the preferences link in any newsletter',
      'unsubscribed_by_contact',
    );
  }
  if (to === 'active' && contact.status === 'complained') {
    throw new ConflictError(
      'a contact who complained (marked our mail as spam) can only subscribe again themselves, through the double opt-in form',
      'complained_by_contact',
    );
  }
  // Clearing a bounce once the address is fixed takes it off the suppression list too.
  if (to === 'active')
    await liftSuppression(store.db, addressHash(await suppressionSalt(store.db), contact.email));
  await setContactStatus(store.db, contact.id, to, `set by ${actor}`);
  if (to !== 'active')
    await skipOpenRecipientsOfContact(store.db, contact.id, `not sent: the contact was set to ${to}`);
}

export async function editContact(
  store: Store,
  id: string,
  input: ContactPatch,
  actor: string,
): Promise<StoredContact> {
  const patch = validatePatch(input);
  const current = await getContact(store.db, id);
  if (patch.email && emailKey(patch.email) !== emailKey(current.email))
    await refuseSuppressed(store, patch.email);
  if (patch.status) await changeStatus(store, current, patch.status, actor);
  const updated = await updateContact(store.db, id, patch);
  await recordAudit(store.db, {
    actor,
    action: 'contact_edited',
    subjectType: 'contact',
    subjectId: id,
    details: { fields: Object.keys(input) },
  });
  return updated;
}
