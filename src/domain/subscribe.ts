// The public subscription form and its double opt-in: what the form takes, the consent wording a person
// agrees to (versioned: a consent records which version it was given under), how long a confirmation
// link lives. Pure rules; the newsletter module sends the mail and the store keeps the requests.
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { emailField, languageField, type Subscriptions } from './member.js';
import { fieldErrorsFromZod } from './zod-errors.js';

/** A confirmation link expires after this long (issue 17: 7 days). */
export const CONFIRM_DAYS = 7;

/** Only ever add a version: consents given under an older wording keep naming it. */
export const CONSENT_WORDINGS = {
  '2026-12-v1': {
    en: 'I agree that {org} sends me the newsletters I chose at this address, and keeps my address, language and choices for that purpose. I can unsubscribe at any time with the link in every newsletter.',
    fr: 'J’accepte que {org} m’envoie les lettres d’information choisies à cette adresse et conserve mon adresse, ma langue et mes choix à cette fin. Je peux me désabonner à tout moment avec le lien présent dans chaque lettre.',
  },
} as const;
export type WordingVersion = keyof typeof CONSENT_WORDINGS;
export const CURRENT_WORDING: WordingVersion = '2026-12-v1';

const yes = z
  .enum(['yes', ''], { error: 'must be "yes" or absent' })
  .optional()
  .transform((v) => v === 'yes');

/** The form's fields (application/x-www-form-urlencoded); `website` is the honeypot, hidden from people. */
export const subscribeFormSchema = z.strictObject({
  email: emailField,
  language: languageField,
  announcements: yes,
  digest: yes,
  website: z.string().max(500).optional(),
  /** Where the form was embedded (the snippet sets it), for the consent record. */
  source: z.string().max(300).optional(),
});

export interface SubscribeRequest {
  email: string;
  language: string;
  subscriptions: Subscriptions;
  /** True when the honeypot was filled: answered like any other, acted on never. */
  honeypot: boolean;
  source: string | undefined;
}

export function validateSubscribeForm(
  input: unknown,
  offered: ReadonlyArray<keyof Subscriptions>,
): SubscribeRequest {
  const parsed = subscribeFormSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error));
  const f = parsed.data;
  const subscriptions = {
    announcements: f.announcements && offered.includes('announcements'),
    digest: f.digest && offered.includes('digest'),
  };
  if (!subscriptions.announcements && !subscriptions.digest)
    throw new ValidationError({ [offered[0] ?? 'announcements']: 'choose at least one newsletter' });
  return {
    email: f.email,
    language: f.language,
    subscriptions,
    honeypot: Boolean(f.website && f.website.trim() !== ''),
    source: f.source?.trim() || undefined,
  };
}

export function confirmDeadline(now: Date): string {
  return new Date(now.getTime() + CONFIRM_DAYS * 86_400_000).toISOString();
}
