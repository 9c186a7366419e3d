// What a newsletter will do if it is sent now, for the page that asks to confirm: who gets it (counted by
// language, from the same query the send uses), and what their inbox shows (subject, sender, preheader).
import type { Newsletter } from '../domain/newsletter-send.js';
import { earlierAnnouncements, type EarlierAnnouncement } from '../store/announced.js';
import { eligibleCountsByLanguage } from '../store/members.js';
import { getNewsletter } from '../store/newsletters.js';
import { compileFor, itemsOf } from './compose.js';
import type { NewsletterDeps } from './send-flow.js';
import { newsletterSettings } from './settings.js';

export interface InboxLine {
  /** The subject in the default language. */
  subject: string;
  /** `Name <address>` as the From header gives it. */
  from: string;
  /** The text mail clients show after the subject. */
  preheader: string;
}

export interface SendSummary extends InboxLine {
  newsletter: Newsletter;
  recipients: { total: number; byLanguage: Array<{ language: string; count: number }> };
  /** Items of this newsletter that another one already carries (sent, sending or scheduled). */
  alreadyAnnounced: EarlierAnnouncement[];
}

/** The inbox line in a language (the default one when none is given). */
export async function inboxLine(
  deps: NewsletterDeps,
  newsletter: Newsletter,
  language?: string,
): Promise<InboxLine> {
  const settings = newsletterSettings(deps.config);
  const compiled = await compileFor(
    newsletter,
    await itemsOf(deps.store.db, newsletter, deps.config.publicUrl),
    language ?? settings.defaultLanguage,
    settings,
  );
  const { name, address } = settings.from;
  return {
    subject: compiled.subject,
    from: name ? `${name} <${address}>` : address,
    preheader: compiled.context.preheader,
  };
}

export async function sendSummary(deps: NewsletterDeps, id: string): Promise<SendSummary> {
  const newsletter = await getNewsletter(deps.store.db, id);
  const [inbox, byLanguage, alreadyAnnounced] = await Promise.all([
    inboxLine(deps, newsletter),
    eligibleCountsByLanguage(
      deps.store.db,
      newsletter.kind,
      deps.config.newsletter.audiences[newsletter.kind],
    ),
    earlierAnnouncements(deps.store.db, newsletter.itemIds, newsletter.id),
  ]);
  return {
    ...inbox,
    newsletter,
    recipients: { total: byLanguage.reduce((sum, l) => sum + l.count, 0), byLanguage },
    alreadyAnnounced,
  };
}
