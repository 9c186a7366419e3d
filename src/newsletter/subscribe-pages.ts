// The public subscription pages (form, "check your inbox", confirm, confirmed, expired) and the
// confirmation mail's text, in English and French. Every value is escaped; no script, no cookie.
import type { Subscriptions } from '../domain/member.js';
import { CONSENT_WORDINGS, CONFIRM_DAYS, CURRENT_WORDING } from '../domain/subscribe.js';
import { escapeHtml, page, pageLanguage, type PageLanguage } from './pages.js';

const STRINGS = {
  en: {
    heading: 'Subscribe to the newsletters of {org}',
    email: 'Email address',
    language: 'Language',
    which: 'Newsletters',
    announcements: 'Announcements of important news',
    digest: 'The regular digest of everything published',
    website: 'Leave this field empty',
    submit: 'Subscribe',
    requested:
      'Thank you. If this address can receive our mail, a message with a confirmation link is on its way. Nothing is sent until you confirm; the link works for {days} days.',
    confirmQuestion: 'Confirm the subscription of {email} to the newsletters of {org}?',
    confirmButton: 'Confirm my subscription',
    confirmed: '{email} is subscribed. You can unsubscribe at any time with the link in every newsletter.',
    already: 'This subscription was already confirmed: {email} is subscribed.',
    expired: 'This confirmation link has expired. Please subscribe again.',
    invalid: 'This link is not valid.',
    again: 'Subscribe',
    problems: 'Please correct the fields marked below.',
    tooMany: 'Too many requests from your connection. Please try again later.',
    mailSubject: 'Confirm your subscription to the newsletters of {org}',
    mailBody:
      'Someone, probably you, asked to receive the newsletters of {org} at this address.\n\nTo confirm, open this link and press the button (it works for {days} days):\n{url}\n\nIf it was not you, ignore this message: nothing will be sent to you.',
  },
  fr: {
    heading: 'Abonnement aux lettres d’information de {org}',
    email: 'Adresse e-mail',
    language: 'Langue',
    which: 'Lettres d’information',
    announcements: 'Les annonces importantes',
    digest: 'Le récapitulatif régulier de tout ce qui est publié',
    website: 'Laissez ce champ vide',
    submit: 'M’abonner',
    requested:
      'Merci. Si cette adresse peut recevoir nos messages, un lien de confirmation vient de lui être envoyé. Rien ne vous sera envoyé avant votre confirmation ; le lien est valable {days} jours.',
    confirmQuestion: 'Confirmer l’abonnement de {email} aux lettres d’information de {org} ?',
    confirmButton: 'Confirmer mon abonnement',
    confirmed:
      '{email} est abonné. Vous pouvez vous désabonner à tout moment avec le lien présent dans chaque lettre.',
    already: 'Cet abonnement était déjà confirmé : {email} est abonné.',
    expired: 'Ce lien de confirmation a expiré. Merci de vous abonner à nouveau.',
    invalid: 'Ce lien n’est pas valide.',
    again: 'M’abonner',
    problems: 'Merci de corriger les champs signalés ci-dessous.',
    tooMany: 'Trop de demandes depuis votre connexion. Merci de réessayer plus tard.',
    mailSubject: 'Confirmez votre abonnement aux lettres d’information de {org}',
    mailBody:
      'Quelqu’un, probablement vous, a demandé à recevoir les lettres d’information de {org} à cette adresse.\n\nPour confirmer, ouvrez ce lien et appuyez sur le bouton (valable {days} jours) :\n{url}\n\nSi ce n’était pas vous, ignorez ce message : rien ne vous sera envoyé.',
  },
} as const;
type Key = keyof (typeof STRINGS)['en'];

function fill(text: string, values: Record<string, string>, escape: (s: string) => string): string {
  return escape(text).replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? escape(values[name]!) : whole,
  );
}
const t = (lang: PageLanguage, key: Key, values: Record<string, string> = {}) =>
  fill(STRINGS[lang][key], { days: String(CONFIRM_DAYS), ...values }, escapeHtml);

/** The consent wording the form shows (the version the request records). */
export function consentWording(lang: PageLanguage, org: string): string {
  return CONSENT_WORDINGS[CURRENT_WORDING][lang].replace('{org}', org);
}

export interface FormView {
  org: string;
  offered: ReadonlyArray<keyof Subscriptions>;
  languages: Array<{ code: string; name: string }>;
  values?: { email?: string; language?: string; chosen?: ReadonlyArray<string> };
  errors?: Record<string, string>;
  /** Where the form was embedded, passed on to the consent record. */
  source?: string | undefined;
}

export function subscribeFormPage(language: string | undefined, view: FormView): string {
  const lang = pageLanguage(language);
  const v = view.values ?? {};
  const errors = view.errors ?? {};
  const error = (field: string) =>
    errors[field] ? `<p class="error" id="${field}-error">${escapeHtml(errors[field]!)}</p>` : '';
  const described = (field: string) =>
    errors[field] ? ` aria-describedby="${field}-error" aria-invalid="true"` : '';
  const selected = v.language ?? lang;
  const options = view.languages
    .map(
      (l) =>
        `<option value="${escapeHtml(l.code)}"${l.code === selected ? ' selected' : ''}>${escapeHtml(l.name)}</option>`,
    )
    .join('');
  const boxes = view.offered
    .map(
      (k) =>
        `<label><input type="checkbox" name="${k}" value="yes"${!v.chosen || v.chosen.includes(k) ? ' checked' : ''}> ${t(lang, k)}</label>${error(k)}`,
    )
    .join('\n');
  return page(
    lang,
    `<h1>${t(lang, 'heading', { org: view.org })}</h1>
${Object.keys(errors).length > 0 ? `<p class="error" role="alert">${t(lang, 'problems')}</p>` : ''}
<form method="post" action="/subscribe">
<label for="email">${t(lang, 'email')}</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(v.email ?? '')}"${described('email')}>${error('email')}
<label for="language">${t(lang, 'language')}</label>
<select id="language" name="language"${described('language')}>${options}</select>${error('language')}
<fieldset><legend>${t(lang, 'which')}</legend>
${boxes}
</fieldset>
<div class="hp" aria-hidden="true"><label for="website">${t(lang, 'website')}</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
${view.source ? `<input type="hidden" name="source" value="${escapeHtml(view.source)}">` : ''}
<p class="muted">${escapeHtml(consentWording(lang, view.org))}</p>
<button type="submit">${t(lang, 'submit')}</button>
</form>`,
  ).replace(
    '</style>',
    '.hp{position:absolute;left:-10000px}.error{color:#9b1c1c}input[type=email]{font:inherit;padding:4px;width:100%;box-sizing:border-box}fieldset{border:0;padding:0;margin:12px 0}</style>',
  );
}

export function simpleSubscribePage(
  language: string | undefined,
  key: 'requested' | 'expired' | 'invalid' | 'tooMany',
): string {
  const lang = pageLanguage(language);
  const again = key === 'expired' ? `\n<p><a href="/subscribe">${t(lang, 'again')}</a></p>` : '';
  return page(lang, `<h1>${t(lang, key)}</h1>${again}`);
}

export function confirmSubscriptionPage(language: string, email: string, org: string): string {
  const lang = pageLanguage(language);
  return page(
    lang,
    `<h1>${t(lang, 'confirmQuestion', { email, org })}</h1>
<form method="post"><button type="submit">${t(lang, 'confirmButton')}</button></form>`,
  );
}

export function confirmedPage(language: string, email: string, already: boolean): string {
  const lang = pageLanguage(language);
  return page(lang, `<h1>${t(lang, already ? 'already' : 'confirmed', { email })}</h1>`);
}

/** The confirmation mail's subject and plain-text body. */
export function subscribeText(language: string, org: string, url: string): { subject: string; body: string } {
  const lang = pageLanguage(language);
  const plain = (key: Key) => fill(STRINGS[lang][key], { org, url, days: String(CONFIRM_DAYS) }, (s) => s);
  return { subject: plain('mailSubject'), body: plain('mailBody') };
}
