// Per-language strings of the newsletter templates: templates/newsletter/i18n/<language>.json.
// Adding a language is adding one file; keys missing from it fall back to English.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { languageFallbacks } from '../domain/member.js';

export const BASE_LANGUAGE = 'en';

const pluralForms = z.strictObject({
  zero: z.string().optional(),
  one: z.string().optional(),
  two: z.string().optional(),
  few: z.string().optional(),
  many: z.string().optional(),
  other: z.string(),
});
const stringsSchema = z.record(z.string(), z.union([z.string(), pluralForms]));

export type PluralForms = z.output<typeof pluralForms>;
export type StringTable = Record<string, string | PluralForms>;

export interface Strings {
  /** The language of the file actually used (`fr` for a `fr-BE` contact without fr-BE.json). */
  language: string;
  direction: 'ltr' | 'rtl';
  table: StringTable;
  plurals: Intl.PluralRules;
}

/** `<dir>/i18n/<language>.json` (the staff pages' and the newsletters' strings), checked; null when absent. */
export function readStringTable(dir: string, language: string): StringTable | null {
  const file = join(dir, 'i18n', `${language}.json`);
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(language) || !existsSync(file)) return null;
  const parsed = stringsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** The strings for a language: its own file (or its primary language's), over English. */
export function loadStrings(templatesDir: string, language: string): Strings {
  const base = readStringTable(templatesDir, BASE_LANGUAGE);
  if (!base) throw new Error(`${join(templatesDir, 'i18n', `${BASE_LANGUAGE}.json`)} is missing`);
  for (const candidate of languageFallbacks(language)) {
    const table = candidate === BASE_LANGUAGE ? base : readStringTable(templatesDir, candidate);
    if (table) return makeStrings(candidate, { ...base, ...table });
  }
  return makeStrings(BASE_LANGUAGE, base);
}

function makeStrings(language: string, table: StringTable): Strings {
  return {
    language,
    direction: table.direction === 'rtl' ? 'rtl' : 'ltr',
    table,
    plurals: new Intl.PluralRules(language),
  };
}

/** Languages that have a strings file. */
export function templateLanguages(templatesDir: string): string[] {
  return readdirSync(join(templatesDir, 'i18n'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/**
 * `{name}` placeholders replaced by params, plural forms chosen by `count`; `escape` applies to the
 * text and the values alike (HTML escaping for the templates). An unknown key throws.
 */
export function translate(
  strings: Strings,
  key: string,
  params: Record<string, unknown> = {},
  escape: (text: string) => string = (text) => text,
): string {
  const entry = strings.table[key];
  if (entry === undefined || key === 'direction')
    throw new Error(`no newsletter string "${key}" (language ${strings.language})`);
  const template = typeof entry === 'string' ? entry : pluralForm(strings, entry, Number(params.count ?? 0));
  return template
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      return escape(name !== undefined && name in params ? String(params[name] ?? '') : part);
    })
    .join('');
}

function pluralForm(strings: Strings, forms: PluralForms, count: number): string {
  return forms[strings.plurals.select(count)] ?? forms.other;
}
