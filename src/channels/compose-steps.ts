// Steps every composer takes the same way: the item's fields for a template, its image and hashtag
// warnings, the cut that keeps a text within a limit, and the ComposedPost itself.
import type { NewsItem } from '../domain/item.js';
import type { PlatformId } from '../domain/platform.js';
import type { ComposedPost } from './adapter.js';
import { imageOf } from './image.js';
import { cutPoints, ellipsize, graphemePoints, hashtagsFor, largestFitting, plainLine } from './text.js';
import type { Hashtags } from './text.js';

/** What a social template renders. */
export interface PostFields {
  title: string;
  summary: string;
  url: string;
  hashtags: string;
}

/** The item's fields for a template; `summary` says how the summary is flattened (one line or paragraphs). */
export function postFields(
  item: NewsItem,
  hashtags: Hashtags,
  summary: (text: string) => string,
): PostFields {
  return {
    title: plainLine(item.title),
    summary: summary(item.summary),
    url: item.url,
    hashtags: hashtags.tags.join(' '),
  };
}

/** The item's image and hashtags, with the warnings both give in every preview. */
export function imageAndHashtags(item: NewsItem): {
  image: ComposedPost['image'];
  hashtags: Hashtags;
  warnings: string[];
} {
  const hashtags = hashtagsFor(item.tags);
  const image = imageOf(item);
  const warnings = [...image.warnings];
  if (hashtags.skipped.length > 0)
    warnings.push(`Tags that cannot be hashtags were left out: ${hashtags.skipped.join(', ')}.`);
  return { image: image.image, hashtags, warnings };
}

/** The largest cut of `text` (between words, else between graphemes) for which `ok` holds; 0 when none. */
export function bestCut(text: string, language: string, ok: (point: number) => boolean): number {
  const best = largestFitting(cutPoints(text, language), ok);
  return best > 0 ? best : Math.max(0, largestFitting(graphemePoints(text, language), ok));
}

/** The rendered post with the summary shortened, or else left out and the title shortened, until it fits. */
export function shortenedToFit(
  f: PostFields,
  render: (f: PostFields) => string,
  fits: (text: string) => boolean,
  language: string,
): string {
  const cut = bestCut(f.summary, language, (p) => fits(render({ ...f, summary: ellipsize(f.summary, p) })));
  const summary = cut > 0 ? ellipsize(f.summary, cut) : '';
  if (summary) return render({ ...f, summary });
  const bare = { ...f, summary: '' };
  const title = bestCut(f.title, language, (p) => fits(render({ ...bare, title: ellipsize(f.title, p) })));
  return render({ ...bare, title: title > 0 ? ellipsize(f.title, title) : f.title });
}

/** The post as every composer answers it: the first part is the text, the link is the item's. */
export function composedPost(
  platform: PlatformId,
  accountId: string,
  item: NewsItem,
  post: Pick<ComposedPost, 'parts' | 'image' | 'length' | 'limit' | 'warnings' | 'linkMissing'>,
): ComposedPost {
  const { linkMissing, ...rest } = post;
  return {
    platform,
    accountId,
    text: post.parts[0] ?? '',
    ...rest,
    link: item.url,
    ...(linkMissing ? { linkMissing } : {}),
  };
}
