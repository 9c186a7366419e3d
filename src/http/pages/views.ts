import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { loadTranslator, type Params, type Translator } from './i18n.js';
import type { StaticAssets } from './static-assets.js';

// From src/http/pages (tsx, vitest) the templates are three levels up; from dist/src/http/pages four.
const CANDIDATES = ['../../../templates/pages/', '../../../../templates/pages/'];

export function pagesTemplateDir(): string {
  for (const candidate of CANDIDATES) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path.join(dir, 'layout.hbs'))) return dir;
  }
  throw new Error('templates/pages not found next to the Herald installation');
}

type Template = Handlebars.TemplateDelegate;

/** The id of a form field's input, from its name (`tr.0.title` -> `f-tr-0-title`). */
export const fieldId = (name: string): string => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The staff pages in one language: Handlebars templates compiled once at start-up; a broken template fails the start. */
class LanguageViews {
  private readonly hb = Handlebars.create();
  private readonly pages = new Map<string, Template>();
  private readonly layout: Template;
  readonly i18n: Translator;

  constructor(dir: string, language: string, assets: StaticAssets) {
    this.i18n = loadTranslator(dir, language);
    registerHelpers(this.hb, this.i18n, assets);
    const partials = path.join(dir, 'partials');
    for (const file of readdirSync(partials).filter((f) => f.endsWith('.hbs'))) {
      this.hb.registerPartial(file.slice(0, -4), this.compile(path.join(partials, file)));
    }
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs') && f !== 'layout.hbs')) {
      this.pages.set(file.slice(0, -4), this.compile(path.join(dir, file)));
    }
    this.layout = this.compile(path.join(dir, 'layout.hbs'));
  }

  private compile(file: string): Template {
    const source = readFileSync(file, 'utf8');
    try {
      this.hb.parse(source); // a syntax error fails the start, not the first request
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    return this.hb.compile(source, { preventIndent: true });
  }

  page(name: string, data: Record<string, unknown>): string {
    const body = this.template(name)(data);
    return this.layout({ ...data, body });
  }

  fragment(name: string, data: Record<string, unknown>): string {
    const partial = this.hb.partials[name] as Template | undefined;
    if (!partial) throw new Error(`no partial ${name}`);
    return partial(data);
  }

  private template(name: string): Template {
    const template = this.pages.get(name);
    if (!template) throw new Error(`no page template ${name}.hbs`);
    return template;
  }
}

/** The languages the staff pages are translated into: one templates/pages/i18n/<language>.json each. */
export function uiLanguages(dir: string): string[] {
  return readdirSync(path.join(dir, 'i18n'))
    .filter((f) => /^[a-z]{2,3}(-[A-Za-z0-9]+)*\.json$/.test(f))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * The staff pages in every language Herald has, each rendered in the language of the request being served
 * (`languageNow`, see ui-language.ts); outside a request, the installation's language.
 */
export class Views {
  private readonly byLanguage = new Map<string, LanguageViews>();
  readonly languages: string[];

  constructor(
    readonly dir: string,
    readonly defaultLanguage: string,
    assets: StaticAssets,
    private readonly languageNow: (available: readonly string[]) => string | undefined = () => undefined,
  ) {
    this.languages = uiLanguages(dir);
    if (!this.languages.includes(defaultLanguage))
      throw new Error(
        `no UI translation ${dir}/i18n/${defaultLanguage}.json (set web.language to one of ${this.languages.join(', ')})`,
      );
    for (const language of this.languages)
      this.byLanguage.set(language, new LanguageViews(dir, language, assets));
  }

  private get current(): LanguageViews {
    const language = this.languageNow(this.languages) ?? this.defaultLanguage;
    return this.byLanguage.get(language) ?? this.byLanguage.get(this.defaultLanguage)!;
  }

  get i18n(): Translator {
    return this.current.i18n;
  }

  page(name: string, data: Record<string, unknown>): string {
    return this.current.page(name, data);
  }

  fragment(name: string, data: Record<string, unknown>): string {
    return this.current.fragment(name, data);
  }

  t(key: string, params?: Params): string {
    return this.current.i18n.t(key, params);
  }
}

function registerHelpers(hb: typeof Handlebars, i18n: Translator, assets: StaticAssets): void {
  hb.registerHelper('t', (key: string, options: Handlebars.HelperOptions) =>
    i18n.t(key, options.hash as Params),
  );
  hb.registerHelper('asset', (name: string) => assets.url(name));
  // A new one-time submission token for each form rendered (see form-once.ts).
  hb.registerHelper('onceToken', () => randomBytes(18).toString('base64url'));
  hb.registerHelper('fid', (name: string) => fieldId(String(name)));
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('gt', (a: number, b: number) => a > b);
  hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper(
    'includes',
    (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value),
  );
  hb.registerHelper('time', (iso: string | null | undefined, options: Handlebars.HelperOptions) => {
    if (!iso) return '';
    const zone =
      (options.hash.zone as string | undefined) ?? (options.data.root as { zone?: string }).zone ?? 'UTC';
    const when = DateTime.fromISO(iso, { zone: 'UTC' }).setZone(zone).setLocale(i18n.language);
    const format =
      options.hash.format === 'time'
        ? 'HH:mm'
        : options.hash.format === 'day'
          ? 'cccc d LLLL yyyy'
          : 'd LLL yyyy, HH:mm';
    const text = when.toFormat(format) + (options.hash.showZone ? ` (${zone})` : '');
    return new hb.SafeString(
      `<time datetime="${hb.escapeExpression(iso)}">${hb.escapeExpression(text)}</time>`,
    );
  });
}
