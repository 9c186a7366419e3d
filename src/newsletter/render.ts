// Newsletter rendering: compileNewsletter() does the slow work once per newsletter and language (MJML,
// item content, the text part's skeleton); renderFor() is then a Handlebars call per recipient.
import { ValidationError } from '../domain/errors.js';
import type { NewsletterKind } from '../domain/newsletter.js';
import type { Branding, BrandingView } from './branding.js';
import { resolveBranding } from './branding.js';
import type { ItemView, NewsletterItem } from './content.js';
import { dateFormat, itemForLanguage } from './content.js';
import type { Strings } from './i18n.js';
import { loadStrings, translate } from './i18n.js';
import type { LayoutTemplate } from './templates.js';
import { compileLayout, defaultTemplatesDir, layoutFromHtml } from './templates.js';
import type { Markers, TextTemplate } from './text.js';
import { fillText, makeMarkers, textTemplate } from './text.js';
import { withLandmarks } from './web-version.js';

export interface CompileNewsletterInput {
  kind: NewsletterKind;
  items: readonly NewsletterItem[];
  /** The recipients' language; strings and item translations fall back to English / the item's language. */
  language: string;
  branding: Branding;
  /** Default: the item's title (announcement) or the "digestSubject" string. */
  subject?: string | undefined;
  /** The inbox preview line. Default: the item's summary, or the item count of a digest. */
  preheader?: string | undefined;
  /** For publication dates. Default UTC. */
  timeZone?: string | undefined;
  templatesDir?: string | undefined;
  /** A layout compiled earlier (CompiledNewsletter.layoutHtml): MJML is not run again. */
  layoutHtml?: string | undefined;
}

/** The personal part of a message. Absent values hide the sentences that use them. */
export interface NewsletterRecipient {
  name?: string | null | undefined;
  email: string;
  authorityName?: string | null | undefined;
  unsubscribeUrl: string;
  preferencesUrl?: string | null | undefined;
  webVersionUrl?: string | null | undefined;
}

export interface RenderedNewsletter {
  subject: string;
  html: string;
  text: string;
}

export const RECIPIENT_FIELDS = [
  'name',
  'email',
  'authorityName',
  'unsubscribeUrl',
  'preferencesUrl',
  'webVersionUrl',
] as const;
type RecipientField = (typeof RECIPIENT_FIELDS)[number];
type RecipientView = Record<RecipientField, string>;

interface NewsletterContext {
  lang: string;
  dir: string;
  kind: NewsletterKind;
  subject: string;
  preheader: string;
  intro: string;
  itemCount: number;
  items: ItemView[];
  branding: BrandingView;
  strings: Strings;
}

/** One newsletter in one language, ready to render per recipient. Treat the fields as read-only. */
export interface CompiledNewsletter {
  readonly kind: NewsletterKind;
  /** The language asked for. */
  readonly language: string;
  /** The language of the template strings used (English when the asked one has no strings file). */
  readonly stringsLanguage: string;
  readonly subject: string;
  /** Time MJML took (0 when the compiled layout came from the cache). */
  readonly mjmlMs: number;
  readonly layout: LayoutTemplate;
  /** MJML's output for this kind and theme, Handlebars tags kept (to store and reuse without MJML). */
  readonly layoutHtml: string;
  readonly context: Readonly<NewsletterContext>;
  readonly markers: Markers;
  /** Text skeletons by which recipient fields are present (bit mask over RECIPIENT_FIELDS). */
  readonly textByShape: Map<number, TextTemplate>;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function buildContext(
  input: CompileNewsletterInput,
  strings: Strings,
  branding: BrandingView,
): NewsletterContext {
  const dates = dateFormat(strings.language, input.timeZone ?? 'UTC');
  const items = input.items.map((item) => itemForLanguage(item, input.language, dates));
  const first = items[0];
  if (!first) throw new ValidationError({ items: 'a newsletter needs at least one item' });
  const params = { organisation: branding.organisationName, count: items.length };
  const digest = input.kind === 'digest';
  const subject = input.subject ?? (digest ? translate(strings, 'digestSubject', params) : first.title);
  const preheader =
    input.preheader ?? (digest ? translate(strings, 'digestPreheader', params) : first.summary);
  return {
    lang: strings.language,
    dir: strings.direction,
    kind: input.kind,
    subject: oneLine(subject),
    preheader: truncate(oneLine(preheader), 150),
    intro: translate(strings, digest ? 'digestIntro' : 'announcementIntro', params),
    itemCount: items.length,
    items,
    branding,
    strings,
  };
}

/** Compiles a newsletter for one language. Throws NewsletterTemplateError (file, line) or ValidationError. */
export async function compileNewsletter(input: CompileNewsletterInput): Promise<CompiledNewsletter> {
  const templatesDir = input.templatesDir ?? defaultTemplatesDir();
  const branding = resolveBranding(input.branding);
  const strings = loadStrings(templatesDir, input.language);
  const context = buildContext(input, strings, branding.view);
  const layout =
    input.layoutHtml !== undefined
      ? { ...layoutFromHtml(input.layoutHtml), cached: true }
      : await compileLayout(templatesDir, input.kind, branding.theme);
  const compiled: CompiledNewsletter = {
    kind: input.kind,
    language: input.language,
    stringsLanguage: strings.language,
    subject: context.subject,
    mjmlMs: layout.cached ? 0 : layout.mjmlMs,
    layout: layout.render,
    layoutHtml: layout.html,
    context: Object.freeze(context),
    markers: makeMarkers(RECIPIENT_FIELDS),
    textByShape: new Map(),
  };
  // Render both extreme shapes now, so a template mistake fails here and not at the first recipient.
  textFor(compiled, shapeOf(Object.fromEntries(RECIPIENT_FIELDS.map((f) => [f, 'x'])) as RecipientView));
  textFor(compiled, 0);
  return compiled;
}

function recipientView(recipient: NewsletterRecipient): RecipientView {
  const view = {} as RecipientView;
  for (const field of RECIPIENT_FIELDS) view[field] = oneLine(recipient[field] ?? '');
  return view;
}

function shapeOf(view: RecipientView): number {
  return RECIPIENT_FIELDS.reduce((mask, field, bit) => (view[field] ? mask | (1 << bit) : mask), 0);
}

function textFor(compiled: CompiledNewsletter, shape: number): TextTemplate {
  let template = compiled.textByShape.get(shape);
  if (!template) {
    const placeholders = {} as RecipientView;
    RECIPIENT_FIELDS.forEach(
      (field, bit) =>
        (placeholders[field] = shape & (1 << bit) ? (compiled.markers.byField[field] ?? '') : ''),
    );
    const html = compiled.layout({ ...compiled.context, recipient: placeholders });
    template = textTemplate(html, compiled.markers, RECIPIENT_FIELDS);
    compiled.textByShape.set(shape, template);
  }
  return template;
}

/** The message for one recipient: a Handlebars call, plus the text part filled in. */
export function renderFor(compiled: CompiledNewsletter, recipient: NewsletterRecipient): RenderedNewsletter {
  const view = recipientView(recipient);
  return {
    subject: compiled.subject,
    html: compiled.layout({ ...compiled.context, recipient: view }),
    text: fillText(textFor(compiled, shapeOf(view)), view),
  };
}

/** The "view in browser" page: the newsletter with no personal data and no unsubscribe link, as a web page. */
export function renderWebVersion(compiled: CompiledNewsletter): string {
  return withLandmarks(renderFor(compiled, { email: '', unsubscribeUrl: '' }).html, compiled.subject);
}
