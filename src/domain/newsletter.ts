import type { Contact, Subscriptions } from './member.js';

export const NEWSLETTER_KINDS = ['announcement', 'digest'] as const;
export type NewsletterKind = (typeof NEWSLETTER_KINDS)[number];

/** The subscription a contact needs to receive a newsletter of this kind. */
export function subscriptionFor(kind: NewsletterKind): keyof Subscriptions {
  return kind === 'announcement' ? 'announcements' : 'digest';
}

/** Whether a contact should get a newsletter of this kind now (checked again right before each send). */
export function shouldReceive(
  contact: Pick<Contact, 'status' | 'subscriptions'>,
  kind: NewsletterKind,
): boolean {
  return contact.status === 'active' && contact.subscriptions[subscriptionFor(kind)];
}
