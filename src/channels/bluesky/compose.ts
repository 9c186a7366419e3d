import type { ComposedPost, Composer } from '../adapter.js';
import { overrideFor } from '../adapter.js';
import type { PostFields } from '../compose-steps.js';
import { bestCut, composedPost, imageAndHashtags, postFields, shortenedToFit } from '../compose-steps.js';
import { plainLine, plainParagraphs, tidyRendered } from '../text.js';
import { socialTemplate } from '../templates.js';
import { POST_LIMIT, blueskyLength } from './rich.js';

const fits = (text: string): boolean => blueskyLength(text) <= POST_LIMIT;
const render = (f: PostFields): string => tidyRendered(socialTemplate('bluesky')(f));

/** One post: the whole text when it fits, else shortened. */
function single(f: PostFields, language: string): { text: string; shortened: boolean } {
  const full = render(f);
  if (fits(full)) return { text: full, shortened: false };
  return { text: shortenedToFit(f, render, fits, language), shortened: true };
}

/** A thread: the first post as a single post would start, the rest of the summary in replies. */
function thread(f: PostFields, language: string): string[] {
  if (fits(render(f)) || !f.summary) return [single(f, language).text];
  const head = bestCut(f.summary, language, (p) =>
    fits(render({ ...f, summary: f.summary.slice(0, p).trimEnd() })),
  );
  const parts = [render({ ...f, summary: f.summary.slice(0, head).trim() })];
  let rest = f.summary.slice(head).trim();
  while (rest) {
    const point = bestCut(rest, language, (p) => fits(rest.slice(0, p).trimEnd()));
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
    const { image, hashtags, warnings: itemWarnings } = imageAndHashtags(item);
    const fields = postFields(item, hashtags, plainLine);
    const warnings: string[] = [];
    let parts: string[];
    if (override !== undefined) parts = [plainParagraphs(override)];
    else if (item.thread) parts = thread(fields, item.language);
    else {
      const post = single(fields, item.language);
      if (post.shortened) warnings.push("Shortened to fit Bluesky's 300 characters.");
      parts = [post.text];
    }
    warnings.push(...itemWarnings);
    const length = Math.max(...parts.map(blueskyLength));
    if (length > POST_LIMIT)
      warnings.push(
        `Too long: ${length} of ${POST_LIMIT} characters as Bluesky counts them. Shorten the Bluesky text.`,
      );
    return composedPost('bluesky', account.id, item, { parts, image, length, limit: POST_LIMIT, warnings });
  },
};
