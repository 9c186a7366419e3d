// Sample newsletter content shared by the newsletter tests: every block of the templates is used.
import type { Branding } from '../../src/newsletter/branding.js';
import type { NewsletterItem } from '../../src/newsletter/content.js';
import type { NewsletterRecipient } from '../../src/newsletter/render.js';

export const branding: Branding = {
  organisationName: 'Alliance of Cities',
  postalAddress: 'Rue de la Loi 1\n1000 Brussels\nBelgium',
  logoUrl: 'https://herald.example.org/static/logo.png',
  logoAlt: 'Alliance of Cities logo',
  websiteUrl: 'https://herald.example.org',
  colors: { primary: '#0b4f6c' },
};

/** With image, French translation (Markdown body), and hostile HTML in the original body. */
export const tramItem: NewsletterItem = {
  id: 'item-tram',
  title: 'Lyon opens its fifth tram line',
  summary: 'Twelve new stations connect the east of the metropolis.',
  bodyHtml:
    '<p>The line runs <strong>every 5 minutes</strong>.</p><script>alert("x")</script>' +
    '<p><img src="https://herald.example.org/img/map.png" alt="Map" onerror="alert(1)"> <a href="javascript:alert(1)">map</a></p>',
  url: 'https://herald.example.org/news/lyon-tram',
  imageUrl: 'https://herald.example.org/img/tram.jpg',
  imageAlt: 'A white tram crossing the Rhône',
  language: 'en',
  translations: {
    fr: {
      title: 'Lyon ouvre sa cinquième ligne de tram',
      summary: "Douze nouvelles stations desservent l'est de la métropole.",
      body: 'La ligne passe **toutes les 5 minutes**.\n\n<script>alert("fr")</script>',
    },
  },
  publishedAt: '2026-11-02T09:30:00Z',
};

/** No image, no translation: French readers get the English text. */
export const budgetItem: NewsletterItem = {
  id: 'item-budget',
  title: 'Participatory budgets: results of the 2026 round',
  summary: 'Residents of 14 member cities voted on 320 projects.',
  bodyHtml: '<p>See the <a href="https://herald.example.org/budgets">full results</a>.</p>',
  url: 'https://herald.example.org/news/budgets-2026',
  imageUrl: null,
  imageAlt: null,
  language: 'en',
  translations: {},
  publishedAt: '2026-11-04T15:00:00Z',
};

/** Written in French, translated to English. */
export const bikeItem: NewsletterItem = {
  id: 'item-velo',
  title: 'Strasbourg double ses pistes cyclables',
  summary: 'Cent kilomètres de plus d’ici 2030.',
  bodyHtml: '<p>Le plan vélo est adopté.</p>',
  url: 'https://herald.example.org/news/strasbourg-velo',
  imageUrl: 'https://herald.example.org/img/velo.jpg',
  imageAlt: 'Des cyclistes sur un quai',
  language: 'fr',
  translations: {
    en: { title: 'Strasbourg doubles its cycle lanes', summary: 'A hundred more kilometres by 2030.' },
  },
  publishedAt: '2026-11-05T08:00:00Z',
};

export const recipients: NewsletterRecipient[] = [
  {
    name: 'Jeanne Martin',
    email: 'jeanne.martin@lyon.example.fr',
    authorityName: 'Métropole de Lyon',
    unsubscribeUrl: 'https://herald.example.org/u/v1.AAA.sig1',
    preferencesUrl: 'https://herald.example.org/preferences/v1.AAA.sig2',
    webVersionUrl: 'https://herald.example.org/newsletters/nl-1/web/v1.AAA.sig3',
  },
  {
    name: "Zoë O'Neil & <b>Co</b>",
    email: 'zoe@cork.example.ie',
    authorityName: 'Cork City Council',
    unsubscribeUrl: 'https://herald.example.org/u/v1.BBB.sig1?x=1&y=2',
    preferencesUrl: 'https://herald.example.org/preferences/v1.BBB.sig2',
    webVersionUrl: 'https://herald.example.org/newsletters/nl-1/web/v1.BBB.sig3',
  },
  {
    name: 'Piet de Vries',
    email: 'piet@utrecht.example.nl',
    authorityName: 'Gemeente Utrecht',
    unsubscribeUrl: 'https://herald.example.org/u/v1.CCC.sig1',
    preferencesUrl: 'https://herald.example.org/preferences/v1.CCC.sig2',
    webVersionUrl: 'https://herald.example.org/newsletters/nl-1/web/v1.CCC.sig3',
  },
];
