// Newsletter layouts: MJML files with Handlebars placeholders, compiled once into a Handlebars template.
//
// Two kinds of placeholders, resolved at two different times:
//   [[color.primary]]  theme tokens from Branding, substituted before MJML compiles (MJML validates
//                      colours and units, so these cannot wait for Handlebars);
//   {{title}} {{t "key"}} {{#each items}}  Handlebars, left intact by MJML and rendered per recipient.
// Block helpers between MJML elements sit in <mj-raw>, and open and close in the same file.
//
// `<mj-include path="./partials/x.mjml" />`, alone on its line, is expanded here rather than by MJML:
// MJML computes error lines before running preprocessors (so substituted tokens shift them), and
// expanding ourselves keeps a map from each line back to its file and line.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { MJMLParseError } from 'mjml-core';
import type { NewsletterKind } from '../domain/newsletter.js';
import { THEME_TOKENS } from './branding.js';
import type { Strings } from './i18n.js';
import { translate } from './i18n.js';
import { ConflictError, HeraldError, ValidationError } from '../domain/errors.js';

export interface TemplateProblem {
  /** Relative to the templates directory. */
  file: string;
  line: number;
  message: string;
}

/** A template that cannot be compiled; every problem names its file and line. */
export class NewsletterTemplateError extends HeraldError {
  constructor(readonly problems: TemplateProblem[]) {
    super(
      `invalid newsletter template:\n${problems.map((p) => `  ${p.file}:${p.line}: ${p.message}`).join('\n')}`,
      {
        code: 'invalid_newsletter_template',
      },
    );
  }
}

// From src/newsletter (tsx, vitest) the templates are two levels up; from dist/src/newsletter three.
const CANDIDATE_DIRS = ['../../templates/newsletter/', '../../../templates/newsletter/'];

export function defaultTemplatesDir(): string {
  for (const candidate of CANDIDATE_DIRS) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(dir, 'i18n'))) return dir;
  }
  throw new Error('templates/newsletter not found next to the Herald installation');
}

/** The Handlebars environment of newsletters: its own instance, with the `t` helper only. */
const hbs = Handlebars.create();
hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
  const strings = (options.data as { root: { strings: Strings } }).root.strings;
  return new hbs.SafeString(
    translate(strings, key, options.hash as Record<string, unknown>, hbs.escapeExpression),
  );
});
const HBS_OPTIONS: CompileOptions = { strict: true, knownHelpers: { t: true }, knownHelpersOnly: true };

export type LayoutTemplate = (context: object) => string;

export interface CompiledLayout {
  render: LayoutTemplate;
  /** MJML's output: HTML with the Handlebars tags kept (what layoutFromHtml turns back into `render`). */
  html: string;
  /** MJML compilation time, for measurements. */
  mjmlMs: number;
}

const cache = new Map<string, Promise<CompiledLayout>>();

/** Compiled layouts are cached per directory, kind and theme; call this after editing templates. */
export function clearLayoutCache(): void {
  cache.clear();
}

export async function compileLayout(
  templatesDir: string,
  kind: NewsletterKind,
  theme: Record<string, string>,
): Promise<CompiledLayout & { cached: boolean }> {
  const key = JSON.stringify([resolve(templatesDir), kind, theme]);
  let compiled = cache.get(key);
  const cached = compiled !== undefined;
  if (!compiled) {
    compiled = compileUncached(resolve(templatesDir), kind, theme);
    compiled.catch(() => cache.delete(key));
    cache.set(key, compiled);
  }
  return { ...(await compiled), cached };
}

async function compileUncached(
  dir: string,
  kind: NewsletterKind,
  theme: Record<string, string>,
): Promise<CompiledLayout> {
  const expanded = expandTemplate(dir, `${kind}.mjml`, theme);
  if (expanded.problems.length > 0) throw new NewsletterTemplateError(expanded.problems);
  const started = performance.now();
  const html = await runMjml(expanded);
  const mjmlMs = performance.now() - started;
  try {
    hbs.parse(html);
  } catch (err) {
    throw new NewsletterTemplateError([
      { file: `${kind}.mjml`, line: 0, message: `after MJML: ${(err as Error).message}` },
    ]);
  }
  return { render: hbs.compile(html, HBS_OPTIONS), html, mjmlMs };
}

/**
 * A layout from HTML compileLayout made earlier (kept with a newsletter when its send starts), without
 * MJML: a process that only renders never loads MJML (about 55 MB) and renders exactly what was checked.
 */
export function layoutFromHtml(html: string): CompiledLayout {
  try {
    return { render: hbs.compile(html, HBS_OPTIONS), html, mjmlMs: 0 };
  } catch (err) {
    throw new NewsletterTemplateError([
      { file: '(stored layout)', line: 0, message: (err as Error).message },
    ]);
  }
}

async function runMjml(expanded: ExpandedTemplate): Promise<string> {
  try {
    // Loaded on first use: processes that only render stored layouts never pay for it.
    const { default: mjml2html } = await import('mjml');
    // mjml 5 returns a Promise (the installed @types/mjml 5 says so too; older typings said it did not).
    const result = await mjml2html(expanded.source, {
      validationLevel: 'strict',
      fonts: {},
      keepComments: false,
    });
    if (result.errors.length > 0) throw Object.assign(new Error('MJML errors'), { errors: result.errors });
    return result.html;
  } catch (err) {
    const errors = (err as { errors?: MJMLParseError[] }).errors;
    if (!errors)
      throw new NewsletterTemplateError([{ ...expanded.origin(1), message: (err as Error).message }]);
    throw new NewsletterTemplateError(
      errors.map((e) => ({ ...expanded.origin(e.line), message: `${e.tagName}: ${e.message}` })),
    );
  }
}

interface SourceLine {
  text: string;
  file: string;
  line: number;
}

interface ExpandedTemplate {
  source: string;
  problems: TemplateProblem[];
  /** The file and line a line of `source` comes from. */
  origin(line: number): { file: string; line: number };
}

const INCLUDE_LINE = /^\s*<mj-include\s+path="([^"]+)"\s*\/>\s*$/;

/**
 * Inlines includes, substitutes theme tokens, and checks what MJML lets through silently or reports
 * badly: Handlebars syntax (its errors would point into the compiled HTML), unknown theme tokens,
 * missing or misplaced includes.
 */
function expandTemplate(dir: string, layout: string, theme: Record<string, string>): ExpandedTemplate {
  const lines: SourceLine[] = [];
  const problems: TemplateProblem[] = [];
  const visit = (path: string, stack: string[], from: TemplateProblem): void => {
    const file = relative(dir, path);
    if (file.startsWith('..') || !existsSync(path)) return void problems.push(from);
    if (stack.includes(path))
      return void problems.push({ ...from, message: `mj-include cycle through ${file}` });
    const source = readFileSync(path, 'utf8');
    problems.push(...lintSource(file, source));
    source.split(/\r?\n/).forEach((text, index) => {
      const line = index + 1;
      const include = INCLUDE_LINE.exec(text)?.[1];
      if (include !== undefined) {
        const message = `mj-include "${include}": file not found in the templates directory`;
        return visit(resolve(dirname(path), include), [...stack, path], { file, line, message });
      }
      if (text.includes('<mj-include'))
        problems.push({ file, line, message: 'mj-include must be alone on its line' });
      lines.push({ text: substituteTokens(text, theme), file, line });
    });
  };
  visit(join(dir, layout), [], { file: layout, line: 0, message: 'template not found' });
  return {
    source: lines.map((l) => l.text).join('\n'),
    problems,
    origin: (line) => {
      const found = lines[line - 1] ?? lines[0];
      return { file: found?.file ?? layout, line: found?.line ?? 0 };
    },
  };
}

function substituteTokens(text: string, theme: Record<string, string>): string {
  return text.replace(/\[\[([\w.]+)\]\]/g, (whole, name: string) => theme[name] ?? whole);
}

function lintSource(file: string, source: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  for (const match of source.matchAll(/\[\[([^\]]*)\]\]/g)) {
    if (!THEME_TOKENS.includes(match[1] ?? '')) {
      problems.push({
        file,
        line: lineOf(match.index),
        message: `unknown theme token [[${match[1]}]] (known: ${THEME_TOKENS.join(', ')})`,
      });
    }
  }
  try {
    hbs.parse(source);
  } catch (err) {
    const message = (err as Error).message;
    const line = Number(/line (\d+)/.exec(message)?.[1] ?? 0);
    problems.push({ file, line, message: `Handlebars: ${message.split('\n').join(' ')}` });
  }
  return problems;
}

/** A send refused for what the newsletter is (its state, its settings, its templates), not for a fault. */
export function isRefusedSend(error: unknown): error is Error {
  return (
    error instanceof ConflictError ||
    error instanceof ValidationError ||
    error instanceof NewsletterTemplateError
  );
}
