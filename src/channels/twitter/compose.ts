import type { ComposedPost, Composer } from '../adapter.js';
import { overrideFor } from '../adapter.js';
import {
  cutPoints,
  ellipsize,
  endsSentence,
  graphemePoints,
  largestFitting,
  plainLine,
  plainParagraphs,
  tidyRendered,
  tweetLength,
} from '../text.js';
import { composedPost, imageAndHashtags } from '../compose-steps.js';
import { socialTemplate } from '../templates.js';

export const TWEET_LIMIT = 280;
/** Hashtags are dropped (last first) only when keeping them would cut the prose below this weighted length. */
const MIN_PROSE = 100;
/** A shortened summary shorter than this reads badly: the summary is left out instead. */
const MIN_SUMMARY_FRAGMENT = 20;

interface TweetFields {
  title: string;
  summary: string;
  url: string;
  hashtags: string[];
}

interface Composed {
  parts: string[];
  warnings: string[];
}

const fits = (text: string): boolean => tweetLength(text) <= TWEET_LIMIT;

function renderTweet(f: TweetFields, prefix = ''): string {
  const data = { title: f.title, summary: f.summary, url: f.url, hashtags: f.hashtags.join(' ') };
  return prefix + tidyRendered(socialTemplate('twitter')(data));
}

function droppedWarning(all: string[], kept: number): string[] {
  const dropped = all.slice(kept);
  if (dropped.length === 0) return [];
  const noun = dropped.length === 1 ? 'hashtag' : 'hashtags';
  return [`${dropped.length} ${noun} dropped to fit 280 characters: ${dropped.join(' ')}.`];
}

const SHORTENED = "Shortened to fit Twitter's 280 characters.";

/** The title cut to fit with the rest of `f` (summary left out), or null when even one word does not fit. */
function fitTitle(f: TweetFields, prefix: string, language: string): string | null {
  const fitsWith = (title: string) => fits(renderTweet({ ...f, title, summary: '' }, prefix));
  if (fitsWith(f.title)) return f.title;
  for (const points of [cutPoints(f.title, language), graphemePoints(f.title, language)]) {
    const best = largestFitting(points, (p) => fitsWith(ellipsize(f.title, p)));
    if (best > 0 && ellipsize(f.title, best)) return ellipsize(f.title, best);
  }
  return null;
}

/** Shortens the summary (then, if need be, the title) at a word boundary so the tweet fits. */
function fitProse(f: TweetFields, language: string): { fields: TweetFields; shortened: boolean } | null {
  if (f.summary) {
    const points = cutPoints(f.summary, language);
    const best = largestFitting(points, (p) => fits(renderTweet({ ...f, summary: ellipsize(f.summary, p) })));
    if (best === f.summary.length) return { fields: f, shortened: false };
    const summary = best > 0 ? ellipsize(f.summary, best) : '';
    if (summary && tweetLength(summary) >= MIN_SUMMARY_FRAGMENT)
      return { fields: { ...f, summary }, shortened: true };
  }
  const title = fitTitle(f, '', language);
  return title === null
    ? null
    : { fields: { ...f, title, summary: '' }, shortened: title !== f.title || f.summary !== '' };
}

function composeSingle(f: TweetFields, language: string): Composed {
  const full = renderTweet(f);
  if (fits(full)) return { parts: [full], warnings: [] };
  const proseOf = (fields: TweetFields) => tweetLength(`${fields.title} ${fields.summary}`);
  const withoutHashtags = fitProse({ ...f, hashtags: [] }, language);
  // Dropping hashtags is worth it only when it saves prose that would otherwise be cut below MIN_PROSE.
  const wanted = Math.min(MIN_PROSE, withoutHashtags ? proseOf(withoutHashtags.fields) : 0);
  for (let kept = f.hashtags.length; kept >= 0; kept--) {
    const fitted =
      kept === 0 ? withoutHashtags : fitProse({ ...f, hashtags: f.hashtags.slice(0, kept) }, language);
    if (!fitted) continue;
    if (kept === 0 || proseOf(fitted.fields) >= wanted) {
      const warnings = [...(fitted.shortened ? [SHORTENED] : []), ...droppedWarning(f.hashtags, kept)];
      return { parts: [renderTweet(fitted.fields)], warnings };
    }
  }
  return { parts: [full], warnings: [] };
}

/** The cut point for a thread part: the largest that fits, or an earlier sentence end not far before it. */
function bestBreak(text: string, language: string, fitsAt: (point: number) => boolean): number {
  const points = cutPoints(text, language);
  let best = largestFitting(points, fitsAt);
  if (best <= 0) best = largestFitting(graphemePoints(text, language), fitsAt);
  if (best <= 0 || best === text.length) return best;
  const sentenceEnd = points.filter((p) => p <= best && p >= best * 0.6 && endsSentence(text, p)).at(-1);
  return sentenceEnd ?? best;
}

/** Splits `text` into numbered parts starting at `first`, each fitting with its "k/N " prefix. */
function numberedParts(text: string, first: number, total: number, language: string): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest) {
    const prefix = `${first + parts.length}/${total} `;
    const point = bestBreak(rest, language, (p) => fits(prefix + rest.slice(0, p).trimEnd()));
    if (point <= 0) break; // cannot happen with a 280 limit: one grapheme always fits
    parts.push(prefix + rest.slice(0, point).trim());
    rest = rest.slice(point).trim();
  }
  return parts;
}

/** First tweet of a thread: title, link, as many hashtags as fit beside the title, then the summary's start. */
function threadHead(f: TweetFields, prefix: string, language: string): Composed & { rest: string } {
  let kept = f.hashtags.length;
  const headFits = (fields: TweetFields) => fits(renderTweet({ ...fields, summary: '' }, prefix));
  while (kept > 0 && !headFits({ ...f, hashtags: f.hashtags.slice(0, kept) })) kept--;
  const base = { ...f, hashtags: f.hashtags.slice(0, kept) };
  const warnings = droppedWarning(f.hashtags, kept);
  const title = fitTitle(base, prefix, language) ?? '';
  if (title !== f.title) warnings.push(SHORTENED);
  const withTitle = { ...base, title };
  const point = f.summary
    ? bestBreak(f.summary, language, (p) =>
        fits(renderTweet({ ...withTitle, summary: f.summary.slice(0, p).trimEnd() }, prefix)),
      )
    : 0;
  const head = point > 0 ? f.summary.slice(0, point).trim() : '';
  if (head && tweetLength(head) >= MIN_SUMMARY_FRAGMENT) {
    return {
      parts: [renderTweet({ ...withTitle, summary: head }, prefix)],
      warnings,
      rest: f.summary.slice(point).trim(),
    };
  }
  return { parts: [renderTweet({ ...withTitle, summary: '' }, prefix)], warnings, rest: f.summary };
}

/**
 * A numbered thread ("1/3 ..."). The link and hashtags go in the first tweet: it is the one shown in timelines
 * and the one that gets the link card. The total is recomputed until the "k/N" prefixes are consistent.
 */
function composeThread(f: TweetFields, language: string): Composed {
  const single = renderTweet(f);
  if (fits(single)) return { parts: [single], warnings: [] };
  let total = 2;
  for (;;) {
    const head = threadHead(f, `1/${total} `, language);
    const parts = [...head.parts, ...numberedParts(head.rest, 2, total, language)];
    if (parts.length === 1) return composeSingle(f, language);
    if (parts.length <= total) return { parts, warnings: head.warnings };
    total = parts.length;
  }
}

function composeOverride(text: string, thread: boolean, language: string): Composed {
  if (fits(text)) return { parts: [text], warnings: [] };
  if (!thread) return { parts: [text], warnings: [] };
  let total = 2;
  for (;;) {
    const parts = numberedParts(text, 1, total, language);
    if (parts.length <= total) return { parts, warnings: [] };
    total = parts.length;
  }
}

export const twitterComposer: Composer = {
  platform: 'twitter',
  compose(item, account, options): ComposedPost {
    const override = options?.override ?? overrideFor(item, { id: account.id, platform: 'twitter' });
    const { image, hashtags, warnings: itemWarnings } = imageAndHashtags(item);
    const fields: TweetFields = {
      title: plainLine(item.title),
      summary: plainLine(item.summary),
      url: item.url,
      hashtags: hashtags.tags,
    };
    const composed =
      override !== undefined
        ? composeOverride(plainParagraphs(override), item.thread, item.language)
        : item.thread
          ? composeThread(fields, item.language)
          : composeSingle(fields, item.language);
    const length = Math.max(...composed.parts.map(tweetLength));
    const warnings = [...composed.warnings, ...itemWarnings];
    // A tweet carries a link only in its text: a hand-written text without it hides the article.
    const linkMissing =
      override !== undefined && item.url !== '' && !composed.parts.some((p) => p.includes(item.url));
    if (linkMissing)
      warnings.push(
        'The Twitter text has no link to the article, so followers will not find it: add the link, or leave the text empty to use the composed one.',
      );
    if (length > TWEET_LIMIT) {
      warnings.push(
        `Too long: ${length} of 280 characters as Twitter counts them. Shorten the Twitter text or post it as a thread.`,
      );
    }
    return composedPost('twitter', account.id, item, {
      parts: composed.parts,
      image,
      length,
      limit: TWEET_LIMIT,
      warnings,
      linkMissing,
    });
  },
};
