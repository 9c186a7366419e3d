import type TwitterText from 'twitter-text';
import { lazyRequire } from '../lazy-module.js';

const twitterText = lazyRequire<typeof TwitterText>('twitter-text');

// Plain-text helpers shared by the composers. Item text is treated as literal text everywhere:
// nothing is escaped, stripped or interpreted, so "<script>" stays visible text and "&" stays "&".

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\u2028\u2029\ufeff]/gu;

/** One line: control characters and runs of whitespace become single spaces. */
export function plainLine(text: string): string {
  return text.normalize('NFC').replace(CONTROL, ' ').replace(/\s+/gu, ' ').trim();
}

/** Paragraphs kept (at most one blank line between them), spaces inside lines collapsed. */
export function plainParagraphs(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, ' ')
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/gu, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Tidies a rendered template: no trailing spaces, no runs of blank lines left by empty fields. */
export function tidyRendered(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface Hashtags {
  tags: string[];
  /** Tags that cannot be hashtags (e.g. digits only). */
  skipped: string[];
}

/**
 * One tag as a hashtag: words end a hashtag, so the words of a tag are joined, each after the first
 * capitalised ("Roma inclusion" becomes "#RomaInclusion", "climate-change" "#climateChange").
 */
export function hashtagOf(tag: string): string {
  const [first = '', ...rest] = tag
    .normalize('NFC')
    .split(/[\s-]+/u)
    .filter(Boolean);
  return `#${first}${rest.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('')}`;
}

/** Item tags as hashtags, each once; tags that cannot be one (digits only) are reported as skipped. */
export function hashtagsFor(tags: readonly string[]): Hashtags {
  const seen = new Set<string>();
  const result: Hashtags = { tags: [], skipped: [] };
  for (const tag of tags) {
    const hashtag = hashtagOf(tag);
    if (!twitterText().isValidHashtag(hashtag)) result.skipped.push(tag);
    else if (!seen.has(hashtag.toLowerCase())) {
      seen.add(hashtag.toLowerCase());
      result.tags.push(hashtag);
    }
  }
  return result;
}

/** Weighted length as Twitter counts it (URLs 23, CJK and emoji 2). */
export function tweetLength(text: string): number {
  return twitterText().parseTweet(text).weightedLength;
}

// Scripts written without spaces between words (and emoji): there any word boundary is a place to cut.
const NO_SPACE_SCRIPT =
  /[\p{Extended_Pictographic}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\u3000-\u303f\uff00-\uffef]/u;
const SENTENCE_END = /[.!?。！？…]["'”’»)\]]*$/u;

const segmenters = new Map<string, Intl.Segmenter>();

/** Segmenters are costly to create: one per language and granularity. */
function segmenter(language: string, granularity: 'word' | 'grapheme'): Intl.Segmenter {
  const key = `${language}:${granularity}`;
  let found = segmenters.get(key);
  if (!found) {
    found = new Intl.Segmenter(language, { granularity });
    segmenters.set(key, found);
  }
  return found;
}

/** Whether `text` has a link as X detects them (bare domains too): X prices such a post "with URL". */
export function hasUrl(text: string): boolean {
  return twitterText().extractUrlsWithIndices(text).length > 0;
}

/**
 * UTF-16 offsets where `text` may be cut: before whitespace, and between words of scripts written without
 * spaces (found with Intl.Segmenter). Never inside a word, a URL or a grapheme. Includes text.length.
 */
export function cutPoints(text: string, language = 'en'): number[] {
  const key = `${language}\u0000${text}`;
  let points = recentCutPoints.get(key);
  if (!points) {
    points = findCutPoints(text, language);
    if (recentCutPoints.size >= 64) recentCutPoints.delete(recentCutPoints.keys().next().value!);
    recentCutPoints.set(key, points);
  }
  return points;
}

// Composing one post asks for the same text's cut points many times; finding them is the costly part.
const recentCutPoints = new Map<string, number[]>();

function findCutPoints(text: string, language: string): number[] {
  const points = new Set<number>();
  for (const { index } of segmenter(language, 'word').segment(text)) {
    if (index === 0) continue;
    const before = codePointBefore(text, index);
    const after = String.fromCodePoint(text.codePointAt(index) ?? 32);
    if (/\s/u.test(after) && !/\s/u.test(before)) points.add(index);
    else if (NO_SPACE_SCRIPT.test(before) || NO_SPACE_SCRIPT.test(after)) points.add(index);
  }
  for (const url of twitterText().extractUrlsWithIndices(text)) {
    for (const p of points) if (p > url.indices[0] && p < url.indices[1]) points.delete(p);
  }
  points.add(text.length);
  return [...points].sort((a, b) => a - b);
}

function codePointBefore(text: string, index: number): string {
  const low = text.charCodeAt(index - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && index >= 2 ? index - 2 : index - 1;
  return text.slice(start, index);
}

/** Whether cutting at `point` ends a sentence. */
export function endsSentence(text: string, point: number): boolean {
  return SENTENCE_END.test(text.slice(0, point));
}

/** The text up to `point`, with an ellipsis when something was cut off. */
export function ellipsize(text: string, point: number): string {
  if (point >= text.length) return text;
  const kept = text.slice(0, point).replace(/[\s,;:\-–—([{"'«“‘]+$/u, '');
  return kept ? `${kept}…` : '';
}

/**
 * The largest cut point for which `fits` holds, found by binary search (the weighted length grows with the
 * cut point). Returns -1 when none fits.
 */
export function largestFitting(points: readonly number[], fits: (point: number) => boolean): number {
  let lo = 0;
  let hi = points.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const point = points[mid]!;
    if (fits(point)) {
      best = point;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

/** Every grapheme boundary: the fallback for a single word too long to fit. */
export function graphemePoints(text: string, language = 'en'): number[] {
  const points = [...segmenter(language, 'grapheme').segment(text)].map((s) => s.index).filter((i) => i > 0);
  points.push(text.length);
  return points;
}
