import { Marked } from 'marked';
import type sanitize from 'sanitize-html';
import { lazyRequire } from '../lazy-module.js';
import { ValidationError } from './errors.js';

const sanitizeHtml = lazyRequire<typeof sanitize>('sanitize-html');

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** Tags and attributes allowed in item HTML: prose, links, images, tables. No script, style or event handlers. */
export const SAFE_HTML: sanitize.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'blockquote',
    'pre',
    'code',
    'em',
    'strong',
    'del',
    's',
    'sub',
    'sup',
    'ul',
    'ol',
    'li',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'figure',
    'figcaption',
    'span',
    'abbr',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'hreflang'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['align', 'colspan', 'rowspan'],
    td: ['align', 'colspan', 'rowspan'],
    abbr: ['title'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

/** Sanitises untrusted HTML; relative links are made absolute against `baseUrl` when given. */
export function sanitizeItemHtml(html: string, baseUrl?: string): string {
  return sanitizeHtml()(html, {
    ...SAFE_HTML,
    transformTags: baseUrl
      ? {
          a: (tagName, attribs) => ({ tagName, attribs: absolutise(attribs, 'href', baseUrl) }),
          img: (tagName, attribs) => ({ tagName, attribs: absolutise(attribs, 'src', baseUrl) }),
        }
      : {},
  });
}

function absolutise(attribs: Record<string, string>, name: string, baseUrl: string): Record<string, string> {
  const value = attribs[name];
  if (value === undefined) return attribs;
  try {
    return { ...attribs, [name]: new URL(value, baseUrl).href };
  } catch {
    const { [name]: _dropped, ...rest } = attribs;
    return rest;
  }
}

/**
 * Markdown (GitHub flavour) to sanitised HTML. Raw HTML in the Markdown is sanitised, not trusted. Input
 * is bounded before (markdown-limits.ts); should the parser still give up (its recursion overflowing the
 * stack), that is bad input, never a server error.
 */
export function renderMarkdown(markdown: string, baseUrl?: string): string {
  let html: string;
  try {
    html = marked.parse(markdown) as string;
  } catch (error) {
    if (error instanceof RangeError || /Maximum call stack/.test(String(error)))
      throw new ValidationError({ body: 'is too deeply nested to render' });
    throw error;
  }
  return sanitizeItemHtml(html, baseUrl).trim();
}
