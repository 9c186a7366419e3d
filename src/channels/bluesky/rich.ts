import type { AppBskyRichtextFacet } from '@atproto/api';
import { atproto } from './library.js';

export const POST_LIMIT = 300;
/** A link's path longer than this is shown cut, as the Bluesky app writes links. */
const PATH_SHOWN = 15;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How the Bluesky app shows a link: host and path without the scheme, a long path cut with "...". */
export function shortLink(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return uri;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return uri;
  const path = (url.pathname === '/' ? '' : url.pathname) + url.search + url.hash;
  return path.length > PATH_SHOWN ? `${url.host}${path.slice(0, PATH_SHOWN - 2)}...` : `${url.host}${path}`;
}

export interface PostText {
  text: string;
  facets: AppBskyRichtextFacet.Main[];
}

/**
 * Replaces the text of each link facet with its short form and recomputes every facet's UTF-8 byte range
 * (facets count bytes, never JavaScript string indices).
 */
export function withShortLinks(rich: PostText): PostText {
  const bytes = encoder.encode(rich.text);
  const facets = [...rich.facets].sort((a, b) => a.index.byteStart - b.index.byteStart);
  let text = '';
  let at = 0;
  let length = 0;
  const out: AppBskyRichtextFacet.Main[] = [];
  const append = (piece: string) => {
    text += piece;
    length += encoder.encode(piece).length;
  };
  for (const facet of facets) {
    if (facet.index.byteStart < at) continue; // overlapping facets are not valid: keep the first
    append(decoder.decode(bytes.slice(at, facet.index.byteStart)));
    const shown = decoder.decode(bytes.slice(facet.index.byteStart, facet.index.byteEnd));
    const link = facet.features.find((f) => f.$type === 'app.bsky.richtext.facet#link') as
      { uri: string } | undefined;
    const byteStart = length;
    append(link ? shortLink(link.uri) : shown);
    out.push({ ...facet, index: { byteStart, byteEnd: length } });
    at = facet.index.byteEnd;
  }
  append(decoder.decode(bytes.slice(at)));
  return { text, facets: out };
}

/** Links and hashtags found without any request (mentions need the PDS: see the adapter). */
export function localFacets(text: string): PostText {
  const rich = new (atproto().RichText)({ text });
  rich.detectFacetsWithoutResolution();
  return withShortLinks({ text: rich.text, facets: rich.facets ?? [] });
}

// One segmenter for every count (RichText.graphemeLength builds a new one per call, which dominated composing).
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Graphemes of `text`, as Bluesky counts its 300. */
export function graphemeCount(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  return count;
}

/** Length as Bluesky counts it: graphemes of the text as shown (long links shortened). */
export function blueskyLength(text: string): number {
  return graphemeCount(localFacets(text).text);
}
