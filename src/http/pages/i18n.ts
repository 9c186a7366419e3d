import { readStringTable, type StringTable } from '../../newsletter/i18n.js';

// Every string of the staff pages lives in templates/pages/i18n/<language>.json; a translation is one
// more file. Keys missing from a translation fall back to English.

export type Params = Record<string, unknown>;

export interface Translator {
  language: string;
  has(key: string): boolean;
  t(key: string, params?: Params): string;
}

export function loadTranslator(dir: string, language: string): Translator {
  const english = readStringTable(dir, 'en');
  if (!english) throw new Error(`${dir}/i18n/en.json is missing`);
  const chosen = language === 'en' ? english : readStringTable(dir, language);
  if (!chosen)
    throw new Error(
      `no UI translation ${dir}/i18n/${language}.json (set web.language to a language that has one)`,
    );
  const table: StringTable = { ...english, ...chosen };
  const plurals = new Intl.PluralRules(language);
  const numbers = new Intl.NumberFormat(language);
  return {
    language,
    has: (key) => key in table,
    t(key, params = {}) {
      const entry = table[key];
      if (entry === undefined) return key;
      const count = Number(params.count ?? 0);
      const text = typeof entry === 'string' ? entry : (entry[plurals.select(count)] ?? entry.other);
      // The count is written the language's way too: "1,234" in English, "1 234" in French.
      const values = typeof params.count === 'number' ? { ...params, count: numbers.format(count) } : params;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
        values[name] === undefined || values[name] === null ? whole : String(values[name]),
      );
    },
  };
}

/**
 * Keys whose plural forms miss one the language's rules need (CLDR through Intl.PluralRules: English
 * one/other, French one/many/other), as `key: form`.
 */
export function missingPluralForms(dir: string, language: string): string[] {
  const table = readStringTable(dir, language) ?? {};
  const needed = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
  return Object.entries(table).flatMap(([key, entry]) =>
    typeof entry === 'string'
      ? []
      : needed.filter((form) => !(form in entry)).map((form) => `${key}: ${form}`),
  );
}
