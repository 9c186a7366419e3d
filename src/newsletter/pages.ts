// The small public pages behind a newsletter's links (unsubscribe, preferences), in the contact's
// language when Herald has it (English otherwise). Every value is HTML-escaped; no script, no cookie.
import { languageFallbacks } from '../domain/member.js';

const STRINGS = {
  en: {
    title: 'Newsletter subscription',
    confirmQuestion: 'Stop sending newsletters from {org} to {email}?',
    confirmButton: 'Unsubscribe',
    alreadyOut: '{email} is not subscribed to newsletters from {org}.',
    done: '{email} is unsubscribed: {org} will send it no more newsletters.',
    changeMind: 'Changed your mind? Choose what you receive on the preferences page.',
    preferencesLink: 'Manage your preferences',
    preferencesHeading: 'Your newsletter preferences',
    preferencesIntro: 'Newsletters from {org} to {email}:',
    announcements: 'Announcements of important news',
    digest: 'The regular digest of everything published',
    language: 'Language',
    save: 'Save my preferences',
    saved: 'Your preferences are saved.',
    bounced:
      'Mail to this address could not be delivered, so nothing is sent to it for now. {org} will look into it.',
    invalid: 'This link is not valid.',
    invalidHint: 'It may have been copied incompletely. The link at the bottom of any newsletter works.',
    testLink: 'This link comes from a test message: it does not change any subscription.',
    previewLink:
      'Preview: this is the page a contact would see, shown for a sample contact. Nothing done here changes a subscription.',
  },
  fr: {
    title: 'Abonnement à la lettre d’information',
    confirmQuestion: 'Ne plus envoyer les lettres d’information de {org} à {email} ?',
    confirmButton: 'Me désabonner',
    alreadyOut: '{email} n’est pas abonné aux lettres d’information de {org}.',
    done: '{email} est désabonné : {org} ne lui enverra plus de lettres d’information.',
    changeMind: 'Vous avez changé d’avis ? Choisissez ce que vous recevez sur la page de préférences.',
    preferencesLink: 'Gérer vos préférences',
    preferencesHeading: 'Vos préférences d’abonnement',
    preferencesIntro: 'Lettres d’information de {org} à {email} :',
    announcements: 'Les annonces importantes',
    digest: 'Le récapitulatif régulier de tout ce qui est publié',
    language: 'Langue',
    save: 'Enregistrer mes préférences',
    saved: 'Vos préférences sont enregistrées.',
    bounced:
      'Les messages à cette adresse n’ont pas pu être remis : rien ne lui est envoyé pour le moment. {org} va s’en occuper.',
    invalid: 'Ce lien n’est pas valide.',
    invalidHint:
      'Il a peut-être été copié incomplètement. Le lien en bas de chaque lettre d’information fonctionne.',
    testLink: 'Ce lien vient d’un message de test : il ne modifie aucun abonnement.',
    previewLink:
      'Aperçu : voici la page qu’un contact verrait, montrée pour un contact fictif. Rien de ce qui est fait ici ne modifie un abonnement.',
  },
} as const;

type Key = keyof (typeof STRINGS)['en'];
export type PageLanguage = keyof typeof STRINGS;

export function pageLanguage(language: string | undefined): PageLanguage {
  for (const candidate of languageFallbacks(language ?? 'en'))
    if (candidate in STRINGS) return candidate as PageLanguage;
  return 'en';
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A translated string with `{name}` values, escaped. */
export function say(lang: PageLanguage, key: Key, values: Record<string, string> = {}): string {
  return escapeHtml(STRINGS[lang][key]).replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? escapeHtml(values[name]!) : whole,
  );
}

/** A whole page; `body` must already be escaped HTML. */
export function page(lang: PageLanguage, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${say(lang, 'title')}</title>
<style>
body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;background:#f1f3f5;color:#1f2933;margin:0;padding:32px 16px}
main{max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 28px;overflow-wrap:anywhere}
h1{font-size:1.4em;line-height:1.3}
@media (max-width:480px){body{padding:16px 8px}main{padding:16px}}
button{font:inherit;background:#1d3557;color:#fff;border:0;border-radius:4px;padding:10px 18px;cursor:pointer}
label{display:block;margin:10px 0}
select{font:inherit;padding:4px}
.muted{color:#5f6b76;font-size:14px}
</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

/** Security headers of every public newsletter page: never cached, never indexed, no referrer leak. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;

/** The web version shows the newsletter's own images and styles. */
export const WEB_VERSION_HEADERS = {
  ...PAGE_HEADERS,
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
} as const;

export function invalidLinkPage(lang: PageLanguage = 'en'): string {
  return page(lang, `<h1>${say(lang, 'invalid')}</h1>\n<p class="muted">${say(lang, 'invalidHint')}</p>`);
}

/** A contact's page as a preview or test link shows it: for a sample contact, under a notice. */
export function asPreview(html: string, lang: PageLanguage): string {
  return html.replace(
    '<body><main>\n',
    `<body><main>\n<p><strong>${say(lang, 'previewLink')}</strong></p>\n`,
  );
}

export function testLinkPage(): string {
  return page('en', `<p>${say('en', 'testLink')}</p>\n<p>${say('fr', 'testLink')}</p>`);
}

export interface PageContact {
  email: string;
  language: string;
  status: string;
  subscriptions: { announcements: boolean; digest: boolean };
}

export function confirmUnsubscribePage(c: PageContact, org: string, preferencesUrl: string): string {
  const lang = pageLanguage(c.language);
  const v = { org, email: c.email };
  if (c.status !== 'active') {
    return page(
      lang,
      `<h1>${say(lang, 'alreadyOut', v)}</h1>\n<p><a href="${escapeHtml(preferencesUrl)}">${say(lang, 'preferencesLink')}</a></p>`,
    );
  }
  return page(
    lang,
    `<h1>${say(lang, 'confirmQuestion', v)}</h1>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${say(lang, 'confirmButton')}</button></form>
<p class="muted"><a href="${escapeHtml(preferencesUrl)}">${say(lang, 'preferencesLink')}</a></p>`,
  );
}

export function unsubscribedPage(c: PageContact, org: string, preferencesUrl: string): string {
  const lang = pageLanguage(c.language);
  return page(
    lang,
    `<h1>${say(lang, 'done', { org, email: c.email })}</h1>\n<p class="muted">${say(lang, 'changeMind')} <a href="${escapeHtml(preferencesUrl)}">${say(lang, 'preferencesLink')}</a></p>`,
  );
}

export function preferencesPage(
  c: PageContact,
  org: string,
  languages: ReadonlyArray<{ code: string; name: string }>,
  saved: boolean,
): string {
  const lang = pageLanguage(c.language);
  const subscribed = c.status === 'active' || c.status === 'unsubscribed';
  const checked = (on: boolean) => (on && c.status === 'active' ? ' checked' : '');
  const options = languages
    .map(
      (l) =>
        `<option value="${escapeHtml(l.code)}"${l.code === c.language ? ' selected' : ''}>${escapeHtml(l.name)}</option>`,
    )
    .join('');
  const notice =
    c.status === 'bounced' || c.status === 'complained' ? `<p>${say(lang, 'bounced', { org })}</p>` : '';
  return page(
    lang,
    `<h1>${say(lang, 'preferencesHeading')}</h1>\n${saved ? `<p><strong>${say(lang, 'saved')}</strong></p>\n` : ''}${notice}<form method="post">
<input type="hidden" name="form" value="preferences">
<p>${say(lang, 'preferencesIntro', { org, email: c.email })}</p>
<label><input type="checkbox" name="announcements" value="yes"${checked(c.subscriptions.announcements)}${subscribed ? '' : ' disabled'}> ${say(lang, 'announcements')}</label>
<label><input type="checkbox" name="digest" value="yes"${checked(c.subscriptions.digest)}${subscribed ? '' : ' disabled'}> ${say(lang, 'digest')}</label>
<label>${say(lang, 'language')} <select name="language">${options}</select></label>
<button type="submit">${say(lang, 'save')}</button>
</form>`,
  );
}
