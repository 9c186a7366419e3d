// Content shared by the newsletter benchmark's processes.
import type { Branding } from '../src/newsletter/branding.js';
import type { NewsletterItem } from '../src/newsletter/content.js';

export const BENCH_BRANDING: Branding = {
  organisationName: 'Alliance of Cities',
  postalAddress: 'Rue de la Loi 1\n1000 Brussels\nBelgium',
  logoUrl: 'https://alliance.example/logo.png',
  websiteUrl: 'https://alliance.example',
};

export const BENCH_ITEM_FIELDS = {
  title: 'Lyon opens its fifth tram line',
  summary: 'Twelve new stations connect the east of the metropolis to the centre.',
  body: '## A new line\n\nThe line runs **every 5 minutes** from 5:00 to midnight.\n\n- 12 stations\n- 14 km\n- 60,000 passengers a day expected\n\nSee the [map](https://alliance.example/map).',
  url: 'https://alliance.example/news/lyon-tram',
  imageUrl: 'https://alliance.example/img/tram.jpg',
  imageAlt: 'A white tram crossing the Rhône',
  tags: ['transport'],
  language: 'en',
  translations: {
    fr: {
      title: 'Lyon ouvre sa cinquième ligne de tram',
      summary: 'Douze nouvelles stations relient l’est de la métropole au centre.',
    },
  },
};

export const benchItem: NewsletterItem = {
  id: 'itm_bench',
  title: BENCH_ITEM_FIELDS.title,
  summary: BENCH_ITEM_FIELDS.summary,
  bodyHtml:
    '<h2>A new line</h2><p>The line runs <strong>every 5 minutes</strong> from 5:00 to midnight.</p><ul><li>12 stations</li><li>14 km</li><li>60,000 passengers a day expected</li></ul><p>See the <a href="https://alliance.example/map">map</a>.</p>',
  url: BENCH_ITEM_FIELDS.url,
  imageUrl: BENCH_ITEM_FIELDS.imageUrl,
  imageAlt: BENCH_ITEM_FIELDS.imageAlt,
  language: 'en',
  translations: BENCH_ITEM_FIELDS.translations,
  publishedAt: '2026-11-02T09:30:00Z',
};
