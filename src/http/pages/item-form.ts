import type { FieldErrors } from '../../domain/errors.js';
import type { NewsItem } from '../../domain/item.js';

// The item editor's form <-> the item fields the API takes. Form posts are flat strings; this is the one
// place that knows how tags, translations and per-channel texts are spelled in the form.

export type FormBody = Record<string, string | string[] | undefined>;

export interface TranslationValues {
  index: number;
  language: string;
  title: string;
  summary: string;
  body: string;
}

/** What the form shows: the submitted strings, or the stored item's. */
export interface ItemFormValues {
  title: string;
  summary: string;
  body: string;
  url: string;
  imageUrl: string;
  imageAlt: string;
  /** An uploaded picture (media id), or ''. */
  imageId: string;
  tags: string;
  language: string;
  slug: string;
  thread: boolean;
  texts: Record<string, string>;
  translations: TranslationValues[];
}

const MAX_TRANSLATIONS = 20;

export function one(form: FormBody, name: string): string {
  const value = form[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

export function many(form: FormBody, name: string): string[] {
  const value = form[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A comma separates tags; the words inside one tag stay together (they become one hashtag). */
export function splitTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim().replace(/^#/, '').replace(/\s+/g, ' '))
    .filter((t) => t.length > 0);
}

export function valuesFromForm(form: FormBody): ItemFormValues {
  const texts: Record<string, string> = {};
  for (const key of Object.keys(form)) {
    if (key.startsWith('text.')) texts[key.slice(5)] = one(form, key);
  }
  const translations: TranslationValues[] = [];
  for (let index = 0; index < MAX_TRANSLATIONS; index++) {
    const field = (f: string) => one(form, `tr.${index}.${f}`);
    if (form[`tr.${index}.language`] === undefined) continue;
    translations.push({
      index,
      language: field('language').trim(),
      title: field('title'),
      summary: field('summary'),
      body: field('body'),
    });
  }
  return {
    title: one(form, 'title'),
    summary: one(form, 'summary'),
    body: one(form, 'body'),
    url: one(form, 'url').trim(),
    imageUrl: one(form, 'imageUrl').trim(),
    imageAlt: one(form, 'imageAlt'),
    // "Remove the picture" (a checkbox; with JavaScript a button that clears the hidden field).
    imageId: one(form, 'imageRemove') === 'on' ? '' : one(form, 'imageId').trim(),
    tags: one(form, 'tags'),
    language: one(form, 'language').trim() || 'en',
    slug: one(form, 'slug').trim(),
    thread: one(form, 'thread') === 'on',
    texts,
    translations,
  };
}

export function valuesFromItem(item: NewsItem): ItemFormValues {
  return {
    title: item.title,
    summary: item.summary,
    body: item.body,
    url: item.url,
    imageUrl: item.imageUrl ?? '',
    imageAlt: item.imageAlt ?? '',
    imageId: item.imageId ?? '',
    tags: item.tags.join(', '),
    language: item.language,
    slug: item.slug,
    thread: item.thread,
    texts: { ...item.channelTexts },
    translations: Object.entries(item.translations).map(([language, t], index) => ({
      index,
      language,
      title: t.title,
      summary: t.summary ?? '',
      body: t.body ?? '',
    })),
  };
}

/** The item fields (as POST /api/items takes them) for what the form holds. */
export function inputFromValues(values: ItemFormValues): Record<string, unknown> {
  const translations: Record<string, { title: string; summary?: string; body?: string }> = {};
  for (const t of values.translations) {
    if (!t.language && !t.title.trim() && !t.summary.trim() && !t.body.trim()) continue;
    translations[t.language] = {
      title: t.title,
      ...(t.summary.trim() ? { summary: t.summary } : {}),
      ...(t.body.trim() ? { body: t.body } : {}),
    };
  }
  const channelTexts = Object.fromEntries(
    Object.entries(values.texts).filter(([, text]) => text.trim() !== ''),
  );
  return {
    title: values.title,
    summary: values.summary,
    body: values.body,
    url: values.url,
    imageUrl: values.imageUrl || null,
    imageAlt: values.imageAlt.trim() ? values.imageAlt : null,
    imageId: values.imageId || null,
    tags: splitTags(values.tags),
    language: values.language,
    ...(values.slug ? { slug: values.slug } : {}),
    translations,
    channelTexts,
    thread: values.thread,
  };
}

/** Problems the form itself can see before the item rules run (two blocks for one language). */
export function formProblems(values: ItemFormValues): FieldErrors {
  const problems: FieldErrors = {};
  const seen = new Set<string>();
  for (const t of values.translations) {
    if (!t.language && (t.title.trim() || t.summary.trim() || t.body.trim()))
      problems[`tr.${t.index}.language`] = 'is required for a translation';
    if (t.language && seen.has(t.language)) problems[`tr.${t.index}.language`] = 'has a translation already';
    if (t.language && t.language === values.language)
      problems[`tr.${t.index}.language`] = "is the item's own language";
    seen.add(t.language);
  }
  return problems;
}

/** Maps the item rules' field names (`tags.2`, `translations.fr.title`, `channelTexts.twitter`) to form fields. */
export function formFieldErrors(fields: FieldErrors, values: ItemFormValues): FieldErrors {
  const out: FieldErrors = {};
  const indexOf = new Map(values.translations.map((t) => [t.language, t.index]));
  for (const [key, problem] of Object.entries(fields)) {
    const parts = key.split('.');
    let name = key;
    if (parts[0] === 'tags') name = 'tags';
    else if (parts[0] === 'channelTexts' && parts[1]) name = `text.${parts.slice(1).join('.')}`;
    else if (parts[0] === 'translations' && parts[1] !== undefined) {
      const index = indexOf.get(parts[1]);
      name = index === undefined ? 'translations' : `tr.${index}.${parts[2] ?? 'language'}`;
    } else if (parts[0] === 'at') name = 'publishAt';
    out[name] ??= parts[0] === 'tags' && parts[1] ? `tag ${Number(parts[1]) + 1}: ${problem}` : problem;
  }
  return out;
}
