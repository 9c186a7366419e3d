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
  return {
    language,
    has: (key) => key in table,
    t(key, params = {}) {
      const entry = table[key];
      if (entry === undefined) return key;
      const text =
        typeof entry === 'string' ? entry : (entry[plurals.select(Number(params.count ?? 0))] ?? entry.other);
      return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
        params[name] === undefined || params[name] === null ? whole : String(params[name]),
      );
    },
  };
}
