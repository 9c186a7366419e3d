import type TwitterText from 'twitter-text';
import { lazyRequire } from '../../lazy-module.js';

const twitterText = lazyRequire<typeof TwitterText>('twitter-text');

// LinkedIn's "little" text format (Posts API `commentary`): these characters are reserved, and LinkedIn
// answers 201 yet shows the post only up to the first one left unescaped. `#word` is a hashtag element
// and URLs are auto-linked, so both are sent as written; everything else reserved gets a backslash. A hashtag
// with an underscore (`#bike_lanes`) cannot be a `#word` element (the `_` would end it, or the post), so it
// goes as the hashtag template `{hashtag|\#|bike_lanes}`, which LinkedIn shows as `#bike_lanes`.
const RESERVED = /[\\|{}@[\]()<>#*_~]/gu;
/** A hashtag: `#` at the start or after a non-word character, then letters, digits and underscores. */
const HASHTAG = /(?<![\p{L}\p{M}\p{N}_])#[\p{L}\p{M}\p{N}_]*[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}_]*/gu;

/** A hashtag as little text: the `#word` element, or the template when it holds an underscore. */
const littleHashtag = (tag: string) => (tag.includes('_') ? `{hashtag|\\#|${tag.slice(1)}}` : tag);

/** The commentary to send for a plain text: reserved characters escaped, URLs and hashtags kept. */
export function escapeLittle(text: string): string {
  const asWritten = (url: string) => url;
  const kept = [
    ...twitterText()
      .extractUrlsWithIndices(text)
      .map(({ indices: [start, end] }) => ({ start, end, write: asWritten })),
    ...[...text.matchAll(HASHTAG)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
      write: littleHashtag,
    })),
  ].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const { start, end, write } of kept) {
    if (start < at) continue;
    out += text.slice(at, start).replace(RESERVED, '\\$&') + write(text.slice(start, end));
    at = end;
  }
  return out + text.slice(at).replace(RESERVED, '\\$&');
}

/** Plain text of a commentary as LinkedIn stores it: escapes removed, hashtag templates and mentions as shown. */
export function unescapeLittle(commentary: string): string {
  return commentary
    .replace(/\{hashtag\|\\#\|([^}]*)\}/gu, '#$1')
    .replace(/@\[([^\]]*)\]\(urn:li:[^)]*\)/gu, '$1')
    .replace(/\\([\\|{}@[\]()<>#*_~])/gu, '$1');
}
