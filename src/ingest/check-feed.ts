import { absoluteHttpUrl } from '../feed/feed-entry.js';
import { rfc3339Problem, rfc822Problem } from '../feed/feed-dates.js';
import { MalformedFeedError, entryKey, parseSourceFeed } from './entries.js';
import type { ParsedSourceFeed, SourceEntry } from './entries.js';
import { checkXmlWellFormed } from '../feed/xml-wellformed.js';

export interface FeedProblem {
  severity: 'error' | 'warning';
  /** Where: "feed", or "entry 3 (Title…)". */
  where: string;
  message: string;
}

export interface FeedCheckReport {
  format: 'rss' | 'atom' | 'rdf' | 'json' | 'unknown';
  entries: number;
  problems: FeedProblem[];
}

/** Reads a feed (RSS, Atom or JSON Feed text) and lists what readers and validators would object to. */
export async function checkFeed(text: string): Promise<FeedCheckReport> {
  const body = text.replace(/^\uFEFF/, '');
  if (/^\s*[{[]/.test(body)) return checkJsonFeed(body);
  return checkXmlFeed(text);
}

class Problems {
  readonly list: FeedProblem[] = [];
  error(where: string, message: string): void {
    this.list.push({ severity: 'error', where, message });
  }
  warning(where: string, message: string): void {
    this.list.push({ severity: 'warning', where, message });
  }
}

async function checkXmlFeed(text: string): Promise<FeedCheckReport> {
  const problems = new Problems();
  if (text.startsWith('\uFEFF'))
    problems.warning('feed', 'starts with a byte-order mark, which some readers reject');
  const wellFormed = checkXmlWellFormed(text);
  if (!wellFormed.ok) {
    problems.error('feed', `not well-formed XML: ${wellFormed.error}`);
    return { format: 'unknown', entries: 0, problems: problems.list };
  }
  let feed: ParsedSourceFeed;
  try {
    feed = await parseSourceFeed(text);
  } catch (error) {
    if (!(error instanceof MalformedFeedError)) throw error;
    problems.error('feed', error.message);
    return { format: 'unknown', entries: 0, problems: problems.list };
  }
  checkXmlChannel(feed, text, problems);
  const keys = new Map<string, number>();
  feed.entries.forEach((entry, index) => checkXmlEntry(feed, entry, index, keys, problems));
  return { format: feed.format, entries: feed.entries.length, problems: problems.list };
}

function checkXmlChannel(feed: ParsedSourceFeed, text: string, problems: Problems): void {
  if (!feed.title) problems.error('feed', 'has no title');
  if (!feed.link)
    problems[feed.format === 'atom' ? 'warning' : 'error']('feed', 'has no link to the website');
  else if (!absoluteHttpUrl(feed.link))
    problems.error('feed', `link "${feed.link}" is not an absolute http(s) URL`);
  if (feed.format === 'rss' && !/<channel\b[^]*?<description\b/.test(text))
    problems.error('feed', 'has no description');
  if (!/\brel\s*=\s*["']self["']/.test(text))
    problems.warning('feed', 'has no rel="self" link to its own address');
}

function checkXmlEntry(
  feed: ParsedSourceFeed,
  entry: SourceEntry,
  index: number,
  keys: Map<string, number>,
  problems: Problems,
): void {
  const title = stringOf(entry.title);
  const where = `entry ${index + 1}${title ? ` (${title.slice(0, 40)})` : ''}`;
  if (!title) {
    if (feed.format === 'atom' || !stringOf(entry.content)) problems.error(where, 'has no title');
    else problems.warning(where, 'has no title');
  }
  const link = stringOf(entry.link);
  if (!link) problems.warning(where, 'has no link');
  else if (!absoluteHttpUrl(link)) problems.error(where, `link "${link}" is relative or not http(s)`);
  checkEntryId(feed, entry, where, index, keys, problems);
  checkEntryDates(feed, entry, where, problems);
  checkContentLinks(stringOf(entry['content:encoded']) ?? stringOf(entry.content) ?? '', where, problems);
}

function checkEntryId(
  feed: ParsedSourceFeed,
  entry: SourceEntry,
  where: string,
  index: number,
  keys: Map<string, number>,
  problems: Problems,
): void {
  const id = stringOf(feed.format === 'atom' ? entry.id : entry.guid);
  if (!id) {
    if (feed.format === 'atom') problems.error(where, 'has no id');
    else problems.warning(where, 'has no guid: readers fall back to the link to tell entries apart');
  }
  const key = entryKey(entry);
  if (key === null) return;
  const first = keys.get(key);
  if (first !== undefined)
    problems.error(where, `has the same ${id ? 'guid/id' : 'link'} as entry ${first + 1}: ${key}`);
  else keys.set(key, index);
}

function checkEntryDates(
  feed: ParsedSourceFeed,
  entry: SourceEntry,
  where: string,
  problems: Problems,
): void {
  if (feed.format === 'atom') {
    const updated = stringOf(entry.updated);
    if (!updated) problems.error(where, 'has no <updated> date');
    for (const [name, value] of [
      ['updated', updated],
      ['published', stringOf(entry.published)],
    ] as const) {
      const problem = value ? rfc3339Problem(value) : null;
      if (problem) problems.error(where, `<${name}> "${value}" ${problem}`);
    }
    return;
  }
  const pubDate = stringOf(entry.pubDate);
  if (!pubDate) {
    if (feed.format === 'rss') problems.warning(where, 'has no pubDate');
    return;
  }
  const problem = rfc822Problem(pubDate);
  if (problem) problems.error(where, `pubDate "${pubDate}" ${problem}`);
}

function checkContentLinks(html: string, where: string, problems: Problems): void {
  const relative = new Set<string>();
  for (const match of html.matchAll(/\b(?:href|src)\s*=\s*["']([^"']*)["']/gi)) {
    const url = match[1] ?? '';
    if (!/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('#')) relative.add(url);
  }
  if (relative.size > 0) {
    problems.warning(
      where,
      `content has relative links, which readers cannot resolve reliably: ${[...relative].slice(0, 3).join(', ')}`,
    );
  }
}

function stringOf(value: unknown): string | null {
  if (Array.isArray(value)) return stringOf(value[0]);
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (value && typeof value === 'object' && '_' in value) return stringOf((value as { _: unknown })._);
  return null;
}

function checkJsonFeed(text: string): FeedCheckReport {
  const problems = new Problems();
  let feed: unknown;
  try {
    feed = JSON.parse(text);
  } catch (error) {
    problems.error('feed', `not valid JSON: ${(error as Error).message}`);
    return { format: 'unknown', entries: 0, problems: problems.list };
  }
  if (!isObject(feed)) {
    problems.error('feed', 'is not a JSON object');
    return { format: 'unknown', entries: 0, problems: problems.list };
  }
  const version = feed.version;
  if (typeof version !== 'string' || !version.startsWith('https://jsonfeed.org/version/')) {
    problems.error('feed', 'has no JSON Feed version (https://jsonfeed.org/version/1.1)');
  } else if (version !== 'https://jsonfeed.org/version/1.1') {
    problems.warning('feed', `is version ${version}; the current one is https://jsonfeed.org/version/1.1`);
  }
  if (typeof feed.title !== 'string' || feed.title.trim() === '') problems.error('feed', 'has no title');
  for (const name of ['home_page_url', 'feed_url'] as const) {
    const value = feed[name];
    if (value === undefined) problems.warning('feed', `has no ${name}`);
    else if (typeof value !== 'string' || !absoluteHttpUrl(value))
      problems.error('feed', `${name} is not an absolute http(s) URL`);
  }
  if (!Array.isArray(feed.items)) {
    problems.error('feed', 'has no items array');
    return { format: 'json', entries: 0, problems: problems.list };
  }
  const ids = new Map<string, number>();
  feed.items.forEach((item: unknown, index: number) => checkJsonItem(item, index, ids, problems));
  return { format: 'json', entries: feed.items.length, problems: problems.list };
}

function checkJsonItem(item: unknown, index: number, ids: Map<string, number>, problems: Problems): void {
  let where = `entry ${index + 1}`;
  if (!isObject(item)) {
    problems.error(where, 'is not an object');
    return;
  }
  if (typeof item.title === 'string' && item.title) where += ` (${item.title.slice(0, 40)})`;
  if (typeof item.id !== 'string' || item.id === '') {
    problems.error(where, typeof item.id === 'number' ? 'id must be a string, not a number' : 'has no id');
  } else {
    const first = ids.get(item.id);
    if (first !== undefined) problems.error(where, `has the same id as entry ${first + 1}: ${item.id}`);
    else ids.set(item.id, index);
  }
  if (typeof item.content_html !== 'string' && typeof item.content_text !== 'string') {
    problems.error(where, 'has neither content_html nor content_text');
  }
  if (item.url === undefined) problems.warning(where, 'has no url');
  else if (typeof item.url !== 'string' || !absoluteHttpUrl(item.url))
    problems.error(where, 'url is relative or not http(s)');
  for (const name of ['date_published', 'date_modified'] as const) {
    const value = item[name];
    if (value === undefined) continue;
    const problem = typeof value === 'string' ? rfc3339Problem(value) : 'is not a string';
    if (problem) problems.error(where, `${name} ${JSON.stringify(value)} ${problem}`);
  }
  if (typeof item.content_html === 'string') checkContentLinks(item.content_html, where, problems);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
