import type TwitterText from 'twitter-text';
import { lazyRequire } from '../../lazy-module.js';
import type { ComposedPost, Composer } from '../adapter.js';
import { overrideFor } from '../adapter.js';
import type { PostFields } from '../compose-steps.js';
import { bestCut, composedPost, imageAndHashtags, postFields, shortenedToFit } from '../compose-steps.js';
import { plainParagraphs, tidyRendered } from '../text.js';
import { socialTemplate } from '../templates.js';

const twitterText = lazyRequire<typeof TwitterText>('twitter-text');

/** Mastodon's default `configuration.statuses.max_characters`; an instance may allow more. */
export const MASTODON_LIMIT = 500;
/** Mastodon's default `characters_reserved_per_url`: every URL counts this much, whatever its length. */
export const MASTODON_URL_LENGTH = 23;

export interface MastodonLimits {
  maxCharacters: number;
  urlLength: number;
}

const DEFAULT_LIMITS: MastodonLimits = { maxCharacters: MASTODON_LIMIT, urlLength: MASTODON_URL_LENGTH };
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Length as Mastodon counts it: graphemes, each http(s) URL counting `urlLength`. */
export function mastodonLength(text: string, urlLength = MASTODON_URL_LENGTH): number {
  let rest = text;
  let urls = 0;
  const found = twitterText().extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false });
  for (const { indices } of [...found].reverse()) {
    rest = rest.slice(0, indices[0]) + rest.slice(indices[1]);
    urls++;
  }
  return [...graphemes.segment(rest)].length + urls * urlLength;
}

const render = (f: PostFields, prefix = '') => prefix + tidyRendered(socialTemplate('mastodon')(f));

/** `text` split into numbered parts from `first` ("2/3 ..."), each fitting with its prefix. */
function numbered(
  text: string,
  first: number,
  total: number,
  fits: (t: string) => boolean,
  language: string,
) {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest) {
    const prefix = `${first + parts.length}/${total} `;
    const point = bestCut(rest, language, (p) => fits(prefix + rest.slice(0, p).trimEnd()));
    if (point <= 0) break;
    parts.push(prefix + rest.slice(0, point).trim());
    rest = rest.slice(point).trim();
  }
  return parts;
}

/** A numbered thread: title, link and hashtags first (the status timelines show), then the summary. */
function thread(
  head: (prefix: string) => string,
  rest: string,
  fits: (t: string) => boolean,
  language: string,
) {
  for (let total = 2; ; total++) {
    const parts = [head(`1/${total} `), ...numbered(rest, 2, total, fits, language)];
    if (parts.length <= total) return parts;
  }
}

/** Staff's own text split into numbered parts ("1/3 ..."). */
function splitNumbered(text: string, fits: (t: string) => boolean, language: string): string[] {
  for (let total = 2; ; total++) {
    const parts = numbered(text, 1, total, fits, language);
    if (parts.length <= total) return parts;
  }
}

/** Composes a status for an instance with `limits` (the live adapter passes its instance's; dry-run uses the defaults). */
export function composeMastodon(
  item: Parameters<Composer['compose']>[0],
  accountId: string,
  override: string | undefined,
  limits: MastodonLimits = DEFAULT_LIMITS,
): ComposedPost {
  const length = (text: string) => mastodonLength(text, limits.urlLength);
  const fits = (text: string) => length(text) <= limits.maxCharacters;
  const { image, hashtags, warnings: itemWarnings } = imageAndHashtags(item);
  const f = postFields(item, hashtags, plainParagraphs);
  const warnings: string[] = [];
  const full = override !== undefined ? plainParagraphs(override) : render(f);
  const head = (prefix: string) => render({ ...f, summary: '' }, prefix);
  let parts = [full];
  if (fits(full)) parts = [full];
  else if (override !== undefined) {
    if (item.thread) parts = splitNumbered(full, fits, item.language);
  } else if (item.thread && fits(head('1/9 '))) parts = thread(head, f.summary, fits, item.language);
  else {
    parts = [shortenedToFit(f, render, fits, item.language)];
    warnings.push(`Shortened to fit the ${limits.maxCharacters} characters of Mastodon.`);
  }
  warnings.push(...itemWarnings);
  const longest = Math.max(...parts.map(length));
  if (longest > limits.maxCharacters) {
    warnings.push(
      `Too long: ${longest} of ${limits.maxCharacters} characters as Mastodon counts them. Shorten the Mastodon text or post it as a thread.`,
    );
  }
  return composedPost('mastodon', accountId, item, {
    parts,
    image,
    length: longest,
    limit: limits.maxCharacters,
    warnings,
  });
}

export const mastodonComposer: Composer = {
  platform: 'mastodon',
  compose(item, account, options): ComposedPost {
    const override = options?.override ?? overrideFor(item, { id: account.id, platform: 'mastodon' });
    return composeMastodon(item, account.id, override);
  },
};
