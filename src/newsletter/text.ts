// The plain-text part, made from the HTML. html-to-text takes milliseconds, so it runs once per
// newsletter, language and "shape" of recipient, on HTML rendered with unguessable markers in place of
// the personal values; each recipient's text is then the pieces joined with their values.
import { randomBytes } from 'node:crypto';
import type { compile as Compile } from 'html-to-text';
import type { FormatCallback } from 'html-to-text';
import { lazy, lazyRequire } from '../lazy-module.js';

const htmlToText = lazyRequire<{ compile: typeof Compile }>('html-to-text');

/** A link as `text <href>`; a link around nothing but an image (logo, item picture) disappears. */
const textLink: FormatCallback = (elem, walk, builder) => {
  let text = '';
  builder.pushWordTransform((word) => {
    text += word;
    return word;
  });
  walk(elem.children, builder);
  builder.popWordTransform();
  const href = (elem.attribs as Record<string, string> | undefined)?.href ?? '';
  if (text && href && href !== text) builder.addInline(` <${href}>`, { noWordTransform: true });
};

/** Compiled on first use: html-to-text (and its HTML parser) is not loaded at start. */
const convert = lazy(() =>
  htmlToText().compile({
    wordwrap: 76,
    formatters: { textLink },
    selectors: [
      { selector: 'img', format: 'skip' },
      // MJML's hidden preheader
      { selector: 'div[style*="display:none"]', format: 'skip' },
      { selector: 'a', format: 'textLink' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'block' },
      { selector: 'tr', format: 'block' },
      { selector: 'td', format: 'block' },
    ],
  }),
);

export function htmlToPlainText(html: string): string {
  return `${convert()(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** Text with holes: `parts[0] + values[fields[0]] + parts[1] + ...`. */
export interface TextTemplate {
  parts: string[];
  fields: string[];
}

export interface Markers {
  /** field name -> marker (lowercase letters and digits, which HTML escaping and wrapping leave alone) */
  byField: Record<string, string>;
  pattern: RegExp;
}

export function makeMarkers(fields: readonly string[]): Markers {
  const nonce = randomBytes(8).toString('hex');
  const byField = Object.fromEntries(fields.map((f, i) => [f, `zq${nonce}${i}qz`]));
  return { byField, pattern: new RegExp(`zq${nonce}(\\d+)qz`, 'g') };
}

export function textTemplate(html: string, markers: Markers, fields: readonly string[]): TextTemplate {
  const text = htmlToPlainText(html);
  const parts: string[] = [];
  const found: string[] = [];
  let last = 0;
  for (const match of text.matchAll(markers.pattern)) {
    parts.push(text.slice(last, match.index));
    found.push(fields[Number(match[1])] ?? '');
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return { parts, fields: found };
}

export function fillText(template: TextTemplate, values: Record<string, string>): string {
  let out = template.parts[0] ?? '';
  for (let i = 0; i < template.fields.length; i++)
    out += (values[template.fields[i] ?? ''] ?? '') + (template.parts[i + 1] ?? '');
  return out;
}
