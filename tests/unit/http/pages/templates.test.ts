import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranslator } from '../../../../src/http/pages/i18n.js';
import { StaticAssets } from '../../../../src/http/pages/static-assets.js';
import { pagesTemplateDir, Views } from '../../../../src/http/pages/views.js';

const dir = pagesTemplateDir();
const templates = [
  ...readdirSync(dir)
    .filter((f) => f.endsWith('.hbs'))
    .map((f) => path.join(dir, f)),
  ...readdirSync(path.join(dir, 'partials')).map((f) => path.join(dir, 'partials', f)),
];
const sources = readdirSync(path.join(dir, '../../src/http/pages')).map((f) =>
  path.join(dir, '../../src/http/pages', f),
);

describe('page templates and strings', () => {
  const en = loadTranslator(dir, 'en');

  it('every string a template asks for exists in en.json', () => {
    const missing: string[] = [];
    let seen = 0;
    for (const file of templates) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:\{\{|\()t "([\w.-]+)"/g)) {
        seen++;
        if (!en.has(m[1]!)) missing.push(`${path.basename(file)}: ${m[1]}`);
      }
    }
    expect(seen).toBeGreaterThan(150);
    expect(missing).toEqual([]);
  });

  it('every fixed string the page code asks for exists in en.json', () => {
    const missing: string[] = [];
    let seen = 0;
    for (const file of sources) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:\bt\(|views\.t\(|key: |label: )'([\w.-]+)'/g)) {
        seen++;
        if (!en.has(m[1]!)) missing.push(`${path.basename(file)}: ${m[1]}`);
      }
    }
    expect(seen).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  it('has the words for every status, action and error kind the pages show', () => {
    const keys = [
      ...['draft', 'scheduled', 'published', 'withdrawn'].map((s) => `item.status.${s}`),
      ...['pending', 'running', 'done', 'failed', 'cancelled'].map((s) => `delivery.status.${s}`),
      ...['create', 'update', 'delete'].map((s) => `delivery.action.${s}`),
      ...['rate_limited', 'transient', 'permanent', 'auth', 'unknown_outcome'].map(
        (s) => `delivery.errorKind.${s}`,
      ),
      'role.editor',
      'role.admin',
      'channels.state.ok',
      'channels.state.needs_reconnect',
    ];
    expect(keys.filter((k) => !en.has(k))).toEqual([]);
  });

  it('fills placeholders and plural forms', () => {
    expect(en.t('items.total', { count: 1 })).toBe('1 item');
    expect(en.t('items.total', { count: 3 })).toBe('3 items');
    expect(en.t('login.tooMany', { count: 15 })).toBe(
      'Too many attempts to sign in. Try again in 15 minutes.',
    );
    expect(en.t('login.tooMany', { count: 1 })).toBe('Too many attempts to sign in. Try again in 1 minute.');
    expect(en.t('no.such.key')).toBe('no.such.key');
  });

  it('compiles every template, and refuses a language without its file', () => {
    expect(() => new Views(dir, 'en', new StaticAssets(path.join(dir, 'static')))).not.toThrow();
    expect(() => loadTranslator(dir, 'xx')).toThrow('no UI translation');
  });

  it('the static scripts use no eval, inline handlers or document.write', () => {
    for (const file of readdirSync(path.join(dir, 'static')).filter((f) => f.endsWith('.js'))) {
      const js = readFileSync(path.join(dir, 'static', file), 'utf8');
      expect({ file, bad: js.match(/\beval\(|new Function|document\.write|setAttribute\('on/g) }).toEqual({
        file,
        bad: null,
      });
    }
  });
});
