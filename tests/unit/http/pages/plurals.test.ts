import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranslator, missingPluralForms } from '../../../../src/http/pages/i18n.js';
import { pagesTemplateDir } from '../../../../src/http/pages/views.js';

const dir = pagesTemplateDir();

describe('plural rules of the staff pages (Intl.PluralRules)', () => {
  const en = loadTranslator(dir, 'en');
  const fr = loadTranslator(dir, 'fr');

  it('English: one for 1, other for 0 and 2 ("1 draft", "0 drafts")', () => {
    expect(en.t('dashboard.count.draft', { count: 1 })).toBe('1 draft');
    expect(en.t('dashboard.count.draft', { count: 0 })).toBe('0 drafts');
    expect(en.t('dashboard.count.draft', { count: 2 })).toBe('2 drafts');
    expect(en.t('newsletters.recipientCount', { count: 1 })).toBe('1 recipient');
    expect(en.t('members.report.rowCount', { count: 3 })).toBe('3 rows');
  });

  it('French: one for 0 and 1, many for a million, other for the rest', () => {
    expect(fr.t('dashboard.count.draft', { count: 0 })).toBe('0 brouillon');
    expect(fr.t('dashboard.count.draft', { count: 1 })).toBe('1 brouillon');
    expect(fr.t('dashboard.count.draft', { count: 2 })).toBe('2 brouillons');
    expect(fr.t('dashboard.count.draft', { count: 1_000_000 })).toBe('1\u202f000\u202f000 de brouillons');
    expect(fr.t('newsletters.recipientCount', { count: 1_000_001 })).toBe(
      '1\u202f000\u202f001 destinataires',
    );
  });

  it('writes the count the language’s way', () => {
    expect(en.t('items.total', { count: 1234 })).toBe('1,234 items');
    expect(fr.t('items.total', { count: 1234 })).toBe('1\u202f234 éléments');
  });

  it('a key missing from a translation falls back to English', () => {
    const partial = mkdtempSync(path.join(tmpdir(), 'herald-i18n-'));
    mkdirSync(path.join(partial, 'i18n'));
    copyFileSync(path.join(dir, 'i18n', 'en.json'), path.join(partial, 'i18n', 'en.json'));
    writeFileSync(path.join(partial, 'i18n', 'fr.json'), JSON.stringify({ 'nav.items': 'Éléments' }));
    const someFrench = loadTranslator(partial, 'fr');
    expect(someFrench.t('nav.items')).toBe('Éléments');
    expect(someFrench.t('nav.dashboard')).toBe(en.t('nav.dashboard'));
  });

  it('every plural entry has every form its language needs', () => {
    expect(new Intl.PluralRules('fr').resolvedOptions().pluralCategories.sort()).toEqual([
      'many',
      'one',
      'other',
    ]);
    expect(missingPluralForms(dir, 'en')).toEqual([]);
    expect(missingPluralForms(dir, 'fr')).toEqual([]);
  });

  it('every plural key of English has its French forms', () => {
    const plural = (t: typeof en, key: string) => t.t(key, { count: 2 }) !== t.t(key, { count: 1 });
    const keys = ['dashboard.count.draft', 'items.total', 'members.total', 'newsletters.recipientCount'];
    for (const key of keys) expect(plural(fr, key), key).toBe(true);
  });
});
