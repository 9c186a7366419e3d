import type { ComposedPost, Composer } from '../adapter.js';
import { overrideFor } from '../adapter.js';
import {
  cutPoints,
  ellipsize,
  graphemePoints,
  hashtagsFor,
  largestFitting,
  plainLine,
  plainParagraphs,
  tidyRendered,
} from '../text.js';
import { imageOf } from '../image.js';
import { socialTemplate } from '../templates.js';
import { POST_LIMIT, blueskyLength } from './rich.js';

interface Fields {
  title: string;
  summary: string;
  url: string;
  hashtags: string;
}

const fits = (text: string): boolean => blueskyLength(text) <= POST_LIMIT;
const render = (f: Fields): string => tidyRendered(socialTemplate('bluesky')(f));

/** The longest start of `text` (cut between words, else graphemes) for which `ok` holds; 0 when none. */
function longestStart(text: string, language: string, ok: (point: number) => boolean): number {
  const best = largestFitting(cutPoints(text, language), ok);
  return best > 0 ? best : Math.max(0, largestFitting(graphemePoints(text, language), ok));
}

/** One post: the summary shortened, then dropped, then the title shortened, until it fits. */
function single(f: Fields, language: string): { text: string; shortened: boolean } {
  const full = render(f);
  if (fits(full)) return { text: full, shortened: false };
  const withSummary = longestStart(f.summary, language, (p) =>
    fits(render({ ...f, summary: ellipsize(f.summary, p) })),
  );
  if (withSummary > 0 && ellipsize(f.summary, withSummary))
    return { text: render({ ...f, summary: ellipsize(f.summary, withSummary) }), shortened: true };
  const bare = { ...f, summary: '' };
  const title = longestStart(f.title, language, (p) =>
    fits(render({ ...bare, title: ellipsize(f.title, p) })),
  );
  return {
    text: render({ ...bare, title: title > 0 ? ellipsize(f.title, title) : f.title }),
    shortened: true,
  };
}

/** A thread: the first post as a single post would start, the rest of the summary in replies. */
function thread(f: Fields, language: string): string[] {
  if (fits(render(f)) || !f.summary) return [single(f, language).text];
  const head = longestStart(f.summary, language, (p) =>
    fits(render({ ...f, summary: f.summary.slice(0, p).trimEnd() })),
  );
  const parts = [render({ ...f, summary: f.summary.slice(0, head).trim() })];
  let rest = f.summary.slice(head).trim();
  while (rest) {
    const point = longestStart(rest, language, (p) => fits(rest.slice(0, p).trimEnd()));
    if (point <= 0) break;
    parts.push(rest.slice(0, point).trim());
    rest = rest.slice(point).trim();
  }
  return parts;
}

export const blueskyComposer: Composer = {
  platform: 'bluesky',
  compose(item, account, options): ComposedPost {
    const override = options?.override ?? overrideFor(item, { id: account.id, platform: 'bluesky' });
    const hashtags = hashtagsFor(item.tags);
    const fields: Fields = {
      title: plainLine(item.title),
      summary: plainLine(item.summary),
      url: item.url,
      hashtags: hashtags.tags.join(' '),
    };
    const warnings: string[] = [];
    let parts: string[];
    if (override !== undefined) parts = [plainParagraphs(override)];
    else if (item.thread) parts = thread(fields, item.language);
    else {
      const post = single(fields, item.language);
      if (post.shortened) warnings.push("Shortened to fit Bluesky's 300 characters.");
      parts = [post.text];
    }
    const image = imageOf(item);
    warnings.push(...image.warnings);
    if (hashtags.skipped.length > 0)
      warnings.push(`Tags that cannot be hashtags were left out: ${hashtags.skipped.join(', ')}.`);
    const length = Math.max(...parts.map(blueskyLength));
    if (length > POST_LIMIT)
      warnings.push(
        `Too long: ${length} of ${POST_LIMIT} characters as Bluesky counts them. Shorten the Bluesky text.`,
      );
    return {
      platform: 'bluesky',
      accountId: account.id,
      text: parts[0] ?? '',
      parts,
      link: item.url,
      image: image.image,
      length,
      limit: POST_LIMIT,
      warnings,
    };
  },
};
