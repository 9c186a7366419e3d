import twitterText from 'twitter-text';

// LinkedIn's "little" text format (Posts API `commentary`): these characters are reserved, and LinkedIn
// answers 201 yet shows the post only up to the first one left unescaped. `#word` is a hashtag element
// and URLs are auto-linked, so both are sent as written; everything else reserved gets a backslash.
const RESERVED = /[\\|{}@[\]()<>#*_~]/gu;
/** A `#` that starts a hashtag element: at the start or after a non-word character, then letters or digits. */
const HASHTAG = /(?<![\p{L}\p{M}\p{N}_])#[\p{L}\p{M}\p{N}]+/gu;

/** The commentary to send for a plain text: reserved characters escaped, URLs and hashtags kept. */
export function escapeLittle(text: string): string {
  const kept: Array<[number, number]> = [
    ...twitterText.extractUrlsWithIndices(text).map((u) => u.indices),
    ...[...text.matchAll(HASHTAG)].map((m): [number, number] => [m.index, m.index + m[0].length]),
  ].sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of kept) {
    if (start < at) continue;
    out += text.slice(at, start).replace(RESERVED, '\\$&') + text.slice(start, end);
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
