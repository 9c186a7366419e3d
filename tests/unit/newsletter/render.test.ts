import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewsletterKind } from '../../../src/domain/newsletter.js';
import { templateLanguages } from '../../../src/newsletter/i18n.js';
import type { CompileNewsletterInput, NewsletterRecipient } from '../../../src/newsletter/render.js';
import { compileNewsletter, renderFor, renderWebVersion } from '../../../src/newsletter/render.js';
import {
  clearLayoutCache,
  defaultTemplatesDir,
  NewsletterTemplateError,
} from '../../../src/newsletter/templates.js';
import { bikeItem, branding, budgetItem, recipients, tramItem } from '../../helpers/newsletter-sample.js';

const GOLDEN_DIR = new URL('../../fixtures/newsletter/', import.meta.url);
const updateGolden = process.env.UPDATE_GOLDEN === '1';

function itemsFor(kind: NewsletterKind) {
  return kind === 'announcement' ? [tramItem, budgetItem] : [tramItem, budgetItem, bikeItem];
}

function compile(kind: NewsletterKind, language: string, extra: Partial<CompileNewsletterInput> = {}) {
  return compileNewsletter({
    kind,
    items: itemsFor(kind),
    language,
    branding,
    timeZone: 'Europe/Paris',
    ...extra,
  });
}

function expectGolden(name: string, actual: string): void {
  const file = new URL(name, GOLDEN_DIR);
  if (updateGolden) writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing: run with UPDATE_GOLDEN=1`);
  expect(actual, `${name} differs from the golden file (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    readFileSync(file, 'utf8'),
  );
}

describe('golden output', () => {
  for (const kind of ['announcement', 'digest'] as const) {
    for (const language of ['en', 'fr']) {
      it(`${kind} in ${language}`, async () => {
        const compiled = await compile(kind, language);
        const message = renderFor(compiled, recipients[0]!);
        expectGolden(`${kind}.${language}.html`, message.html);
        expectGolden(`${kind}.${language}.txt`, `Subject: ${message.subject}\n\n${message.text}`);
      });
    }
  }

  it('uses every block of the templates', async () => {
    const { html, text } = renderFor(await compile('digest', 'fr'), recipients[0]!);
    expect(html).toContain('<html lang="fr" dir="ltr"');
    expect(html).toContain('src="https://herald.example.org/static/logo.png"');
    expect(html).toContain('alt="A white tram crossing the Rhône"'); // digest item with image
    expect(html).toContain('Participatory budgets'); // item without image, English fallback
    expect(html).toContain('<h3 lang="en"');
    expect(html).toContain('Lyon ouvre sa cinquième ligne de tram'); // translated
    expect(html).toContain('Voir ce message dans votre navigateur');
    expect(html).toContain('Rue de la Loi 1<br />1000 Brussels');
    expect(html).toContain('href="https://herald.example.org/u/v1.AAA.sig1"');
    expect(html).toContain('Gérer vos préférences');
    expect(html).toContain('parce que Métropole de Lyon est membre de Alliance of Cities');
    expect(html).not.toMatch(/fonts\.googleapis|@import|<link[^>]+font/);
    expect(text).toContain('Se désabonner <https://herald.example.org/u/v1.AAA.sig1>');
    expect(text).not.toMatch(/\{\{|\[\[/);
  });
});

describe('per-recipient rendering', () => {
  const personal = (r: NewsletterRecipient) =>
    [r.name, r.email, r.authorityName, r.unsubscribeUrl, r.preferencesUrl, r.webVersionUrl].map(String);

  function blankOut(output: string, r: NewsletterRecipient, escape: (s: string) => string): string {
    return personal(r)
      .sort((a, b) => b.length - a.length)
      .reduce((out, value) => out.split(escape(value)).join('<PERSONAL>'), output);
  }

  it('the same compiled newsletter differs between 3 contacts only in their personal parts', async () => {
    const compiled = await compile('announcement', 'en');
    const messages = recipients.map((r) => renderFor(compiled, r));
    const htmls = messages.map((m, i) => blankOut(m.html, recipients[i]!, Handlebars.escapeExpression));
    // Text is wrapped at 76 columns: compare it with whitespace collapsed.
    const texts = messages.map((m, i) => blankOut(m.text.replace(/\s+/g, ' '), recipients[i]!, (s) => s));
    expect(htmls[1]).toBe(htmls[0]);
    expect(htmls[2]).toBe(htmls[0]);
    expect(texts[1]).toBe(texts[0]);
    expect(texts[2]).toBe(texts[0]);
    messages.forEach((m, i) => {
      for (const value of personal(recipients[i]!)) expect(m.text.replace(/\s+/g, ' ')).toContain(value);
      for (const other of recipients.filter((_, j) => j !== i)) expect(m.html).not.toContain(other.email);
    });
    expect(new Set(messages.map((m) => m.subject)).size).toBe(1);
  });

  it('hides the sentences whose personal values are missing, in the HTML and the text', async () => {
    const compiled = await compile('announcement', 'en');
    const anonymous = renderFor(compiled, {
      email: 'x@example.org',
      unsubscribeUrl: 'https://herald.example.org/u/t',
    });
    expect(anonymous.html).toContain('Hello,');
    expect(anonymous.text).toContain('Hello,');
    expect(anonymous.text.replace(/\s+/g, ' ')).toContain('as a contact of a member of Alliance of Cities');
    expect(anonymous.text).not.toContain('View this email in your browser');
    expect(anonymous.text).not.toContain('Manage your preferences');
    const web = renderWebVersion(compiled);
    expect(web).not.toContain('Unsubscribe');
    expect(web).not.toContain('You receive this email');
    expect(web).toContain('Lyon opens its fifth tram line');
  });

  it('escapes or sanitises HTML from items and recipients', async () => {
    const hostile = {
      ...tramItem,
      title: '<script>alert("title")</script> {{recipient.email}}',
      summary: '<img src=x onerror=alert(1)>',
      bodyHtml:
        '<p onclick="steal()">Hi</p><script>alert(2)</script><iframe src="https://evil.example"></iframe><a href="javascript:alert(3)">x</a>',
      translations: {
        fr: {
          title: 'T',
          body: '<img src="https://x.example/a.png" onerror="alert(4)"><script>alert(5)</script>',
        },
      },
    };
    for (const language of ['en', 'fr']) {
      const compiled = await compileNewsletter({
        kind: 'announcement',
        items: [hostile],
        language,
        branding,
      });
      const { html, text } = renderFor(compiled, { ...recipients[0]!, name: '<b onmouseover=x>Eve</b>' });
      // No active markup; the same text escaped (`&lt;script`) is harmless.
      expect(html).not.toMatch(/<script|<iframe|javascript:/i);
      expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
      expect(html).not.toContain('<b ');
      // Plain text shows titles verbatim; what sanitising removed from bodies is gone from the text too.
      expect(text).not.toMatch(/alert\([2345]\)/);
    }
    const { html } = renderFor(
      await compileNewsletter({ kind: 'announcement', items: [hostile], language: 'en', branding }),
      recipients[0]!,
    );
    expect(html).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; {{recipient.email}}');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('<p>Hi</p>');
  });

  it('renders one recipient in well under a millisecond (figure printed, not asserted)', async () => {
    clearLayoutCache();
    const started = performance.now();
    const compiled = await compile('digest', 'fr', { timeZone: 'UTC' });
    const compileMs = performance.now() - started;
    const runs = 2_000;
    for (let i = 0; i < 2_000; i++) renderFor(compiled, recipients[i % 3]!); // JIT warm-up
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) renderFor(compiled, { ...recipients[i % 3]!, email: `c${i}@example.org` });
    const perRecipientUs = ((performance.now() - t0) / runs) * 1000;
    console.log(
      `newsletter: compile ${compileMs.toFixed(1)} ms (MJML ${compiled.mjmlMs.toFixed(1)} ms), render ${perRecipientUs.toFixed(1)} µs per recipient`,
    );
    expect(renderFor(compiled, recipients[0]!).html.length).toBeGreaterThan(1000);
  });
});

describe('languages', () => {
  it('falls back to English strings and to the item language when there is no translation', async () => {
    const compiled = await compile('digest', 'de');
    expect(compiled.stringsLanguage).toBe('en');
    const { html } = renderFor(compiled, recipients[0]!);
    expect(html).toContain('<html lang="en"');
    expect(html).toContain('Lyon opens its fifth tram line');
    expect(html).toContain('Strasbourg double ses pistes cyclables');
  });

  it('uses the primary language for a regional variant', async () => {
    const compiled = await compile('announcement', 'fr-BE');
    expect(compiled.stringsLanguage).toBe('fr');
    expect(renderFor(compiled, recipients[0]!).html).toContain('Lyon ouvre sa cinquième ligne de tram');
  });

  it('every strings file has exactly the English keys', () => {
    const dir = defaultTemplatesDir();
    const keysOf = (lang: string) => {
      const table = JSON.parse(readFileSync(join(dir, 'i18n', `${lang}.json`), 'utf8')) as Record<
        string,
        unknown
      >;
      return Object.keys(table).sort();
    };
    const languages = templateLanguages(dir);
    expect(languages).toEqual(expect.arrayContaining(['en', 'fr']));
    for (const language of languages) expect(keysOf(language), language).toEqual(keysOf('en'));
  });
});

describe('template errors', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  function brokenTemplates(file: string, edit: (source: string) => string): string {
    const dir = mkdtempSync(join(tmpdir(), 'herald-templates-'));
    dirs.push(dir);
    cpSync(defaultTemplatesDir(), dir, { recursive: true });
    writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
    return dir;
  }

  async function compileError(
    templatesDir: string,
    kind: NewsletterKind = 'announcement',
  ): Promise<NewsletterTemplateError> {
    const error = await compileNewsletter({
      kind,
      items: [tramItem],
      language: 'en',
      branding,
      templatesDir,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewsletterTemplateError);
    return error as NewsletterTemplateError;
  }

  it('reports an MJML validation error with its file and line', async () => {
    // line 6 of item-card.mjml is the mj-text holding the title
    const dir = brokenTemplates('partials/item-card.mjml', (s) =>
      s.replace('<mj-text padding="0 24px 8px">', '<mj-text padding="0 24px 8px" colour="red">'),
    );
    const error = await compileError(dir);
    expect(error.problems).toEqual([
      { file: 'partials/item-card.mjml', line: 6, message: 'mj-text: Attribute colour is illegal' },
    ]);
    expect(error.message).toContain('partials/item-card.mjml:6: mj-text: Attribute colour is illegal');
  });

  it('reports an error in the layout file itself', async () => {
    const dir = brokenTemplates('digest.mjml', (s) =>
      s.replace('<mj-raw>{{/each}}</mj-raw>', '<mj-raw>{{/each}}</mj-raw>\n    <mj-text>loose</mj-text>'),
    );
    const error = await compileError(dir, 'digest');
    expect(error.problems[0]).toMatchObject({ file: 'digest.mjml', line: 11 });
    expect(error.problems[0]!.message).toMatch(/mj-text cannot be used inside mj-body/);
  });

  it('reports a Handlebars syntax error, an unknown theme token and a missing include', async () => {
    const dir = brokenTemplates('partials/footer.mjml', (s) =>
      s
        .replace('{{#if recipient.email}}', '{{#if recipient.email}}{{#each')
        .replace('color="[[color.muted]]"', 'color="[[color.grey]]"'),
    );
    writeFileSync(
      join(dir, 'announcement.mjml'),
      readFileSync(join(dir, 'announcement.mjml'), 'utf8').replace(
        './partials/greeting.mjml',
        './partials/gretting.mjml',
      ),
    );
    const error = await compileError(dir);
    const summary = error.problems.map((p) => `${p.file}:${p.line}`);
    expect(summary).toEqual(
      expect.arrayContaining(['partials/footer.mjml:3', 'partials/footer.mjml:4', 'announcement.mjml:7']),
    );
    expect(error.message).toMatch(/unknown theme token \[\[color\.grey\]\]/);
    expect(error.message).toMatch(/gretting\.mjml.*not found/);
    expect(error.message).toMatch(/Handlebars: Parse error/);
  });
});
