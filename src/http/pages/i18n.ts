import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

// Every string of the staff pages lives in templates/pages/i18n/<language>.json; a translation is one
// more file. Keys missing from a translation fall back to English.

const plural = z.strictObject({
  zero: z.string().optional(),
  one: z.string().optional(),
  two: z.string().optional(),
  few: z.string().optional(),
  many: z.string().optional(),
  other: z.string(),
});
const tableSchema = z.record(z.string(), z.union([z.string(), plural]));
type Table = z.output<typeof tableSchema>;

export type Params = Record<string, unknown>;

export interface Translator {
  language: string;
  has(key: string): boolean;
  t(key: string, params?: Params): string;
}

function readTable(dir: string, language: string): Table | null {
  const file = path.join(dir, 'i18n', `${language}.json`);
  if (!existsSync(file)) return null;
  const parsed = tableSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function loadTranslator(dir: string, language: string): Translator {
  const english = readTable(dir, 'en');
  if (!english) throw new Error(`${dir}/i18n/en.json is missing`);
  const chosen = language === 'en' ? english : readTable(dir, language);
  if (!chosen)
    throw new Error(
      `no UI translation ${dir}/i18n/${language}.json (set web.language to a language that has one)`,
    );
  const table: Table = { ...english, ...chosen };
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
