import type { compile as Compile } from 'html-to-text';
import { LIMITS } from '../domain/item.js';
import { removeXmlIllegalChars } from '../feed/xml-text.js';
import { lazy, lazyRequire } from '../lazy-module.js';

const htmlToText = lazyRequire<{ compile: typeof Compile }>('html-to-text');

/** Compiled on first use: html-to-text (and its HTML parser) is not loaded at start. */
const toText = lazy(() =>
  htmlToText().compile({
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'h4', options: { uppercase: false } },
      { selector: 'h5', options: { uppercase: false } },
      { selector: 'h6', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  }),
);

/** HTML (or text with entities, as feed titles often are) to one line of plain text. */
export function htmlToLine(html: string): string {
  return removeXmlIllegalChars(toText()(html)).replace(/\s+/g, ' ').trim();
}

/** Cuts `text` to at most `max` characters, at a word boundary when one is near, ending with "…". */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/**
 * A source category as a Herald tag (letters, digits, '-' and '_'; it becomes a hashtag):
 * spaces and other separators become '-', anything else is dropped. Null when nothing is left.
 */
export function categoryToTag(category: string): string | null {
  const tag = category
    .normalize('NFC')
    .trim()
    .replace(/[\s/.,:;+&|]+/gu, '-')
    .replace(/[^\p{L}\p{N}_-]/gu, '')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  const cut = Array.from(tag).slice(0, LIMITS.tag).join('').replace(/-+$/, '');
  return cut === '' ? null : cut;
}

/** Tags from categories: normalised, without duplicates (case-insensitive), at most 20. */
export function categoriesToTags(categories: readonly string[]): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const category of categories) {
    const tag = categoryToTag(category);
    if (tag === null || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
    if (tags.length === LIMITS.tags) break;
  }
  return tags;
}
