import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranslator } from '../../../../src/http/pages/i18n.js';
import { pagesTemplateDir, uiLanguages } from '../../../../src/http/pages/views.js';

type Entry = string | Record<string, string>;
const dir = pagesTemplateDir();
const table = (language: string): Record<string, Entry> =>
  JSON.parse(readFileSync(path.join(dir, 'i18n', `${language}.json`), 'utf8')) as Record<string, Entry>;
const placeholders = (entry: Entry) =>
  [
    ...new Set(
      Object.values(typeof entry === 'string' ? { other: entry } : entry).flatMap(
        (t) => t.match(/\{\w+\}/g) ?? [],
      ),
    ),
  ].sort();

const en = table('en');
const translations = uiLanguages(dir).filter((l) => l !== 'en');

describe('staff UI translations', () => {
  it('include French', () => expect(translations).toContain('fr'));

  for (const language of translations) {
    const other = table(language);
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;

    it(`${language}: every key of en.json, with the same placeholders`, () => {
      expect(Object.keys(other).filter((k) => !(k in en))).toEqual([]);
      expect(Object.keys(en).filter((k) => !(k in other))).toEqual([]);
      const wrong = Object.keys(en).filter(
        (k) => JSON.stringify(placeholders(en[k]!)) !== JSON.stringify(placeholders(other[k]!)),
      );
      expect(wrong).toEqual([]);
    });

    it(`${language}: every plural key has each of the language's plural forms (${categories.join(', ')})`, () => {
      const plural = Object.keys(en).filter((k) => typeof en[k] !== 'string');
      expect(plural.length).toBeGreaterThan(5);
      const incomplete = plural.filter((k) => {
        const entry = other[k]!;
        return typeof entry === 'string' || categories.some((c) => !(c in entry));
      });
      expect(incomplete).toEqual([]);
    });

    it(`${language}: nothing left in English but the listed words that are the same in both`, () => {
      const same = new Set(
        JSON.parse(readFileSync(path.join(dir, 'i18n', `${language}.same.json`), 'utf8')) as string[],
      );
      const untranslated = Object.keys(en).filter(
        (k) => !same.has(k) && JSON.stringify(en[k]) === JSON.stringify(other[k]),
      );
      expect(untranslated).toEqual([]);
    });
  }

  it('French plural rules: 0 and 1 are singular, 2 plural, a million takes "many"', () => {
    const fr = loadTranslator(dir, 'fr');
    const key = Object.keys(en).find(
      (k) => typeof en[k] !== 'string' && placeholders(en[k]!).includes('{count}'),
    )!;
    const forms = table('fr')[key] as Record<string, string>;
    const text = (form: string, count: number) =>
      forms[form]!.replace(/\{(\w+)\}/g, (_, n: string) =>
        n === 'count' ? new Intl.NumberFormat('fr').format(count) : `{${n}}`,
      );
    expect(fr.t(key, { count: 0 })).toBe(text('one', 0));
    expect(fr.t(key, { count: 1 })).toBe(text('one', 1));
    expect(fr.t(key, { count: 2 })).toBe(text('other', 2));
    expect(fr.t(key, { count: 1_000_000 })).toBe(text('many', 1_000_000));
  });
});
