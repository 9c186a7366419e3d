import { Parser } from 'htmlparser2';
import { FetchError, safeFetch, type SafeFetchOptions } from './safe-fetch.js';

/** What a page says about itself in its `og:` (else `twitter:`, `<title>`, meta description) tags. */
export interface PageMetadata {
  title: string | null;
  description: string | null;
  /** Absolute (resolved against the page address). */
  image: string | null;
  siteName: string | null;
}

/** A page's metadata, or the plain-words reason it could not be read. */
export type PageReading = { metadata: PageMetadata; problem: null } | { metadata: null; problem: string };

const FIELDS = {
  title: ['og:title', 'twitter:title'],
  description: ['og:description', 'twitter:description', 'description'],
  image: ['og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src'],
  siteName: ['og:site_name'],
} as const;

/** Reads the `<head>` tags of `html`; entities are decoded, an `og:image` is resolved against `pageUrl`. */
export function parsePageMetadata(html: string, pageUrl: string): PageMetadata {
  const meta = new Map<string, string>();
  let title = '';
  let inTitle = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'title') inTitle = true;
        if (name !== 'meta') return;
        const key = (attributes.property ?? attributes.name ?? '').trim().toLowerCase();
        const content = attributes.content?.trim();
        if (key && content && !meta.has(key)) meta.set(key, content);
      },
      ontext(text) {
        if (inTitle) title += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  const first = (keys: readonly string[]) => keys.map((k) => meta.get(k)).find(Boolean) ?? null;
  return {
    title: first(FIELDS.title) ?? (title.replace(/\s+/g, ' ').trim() || null),
    description: first(FIELDS.description),
    image: absoluteHttpUrl(first(FIELDS.image), pageUrl),
    siteName: first(FIELDS.siteName),
  };
}

function absoluteHttpUrl(value: string | null, base: string): string | null {
  if (!value) return null;
  try {
    const url = new URL(value, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** True when the page names none of what a link card shows. */
export function isEmptyMetadata(metadata: PageMetadata): boolean {
  return !metadata.title && !metadata.description && !metadata.image;
}

export interface PageReaderOptions {
  fetch: Pick<SafeFetchOptions, 'allowPrivate' | 'resolveHost'>;
  /** How long a page read is kept. Default 10 minutes. */
  ttlMs?: number;
  /** How long a page that could not be read is kept (so typing does not refetch it). Default 1 minute. */
  failureTtlMs?: number;
  /** Pages kept at most; the oldest goes first. Default 200. */
  maxEntries?: number;
  now?: () => number;
}

const PAGE_FETCH = {
  timeoutMs: 5_000,
  maxBytes: 1024 * 1024,
  accept: 'text/html, application/xhtml+xml;q=0.9',
  contentTypes: ['text/html', 'application/xhtml+xml'],
  userAgent: 'Herald link preview',
} as const;

/** Reads pages' metadata through safeFetch, keeping each answer (and each failure, shorter) in memory by URL. */
export class PageReader {
  private readonly cache = new Map<string, { until: number; reading: Promise<PageReading> }>();

  constructor(private readonly options: PageReaderOptions) {}

  read(url: string): Promise<PageReading> {
    const now = (this.options.now ?? Date.now)();
    const kept = this.cache.get(url);
    if (kept && kept.until > now) return kept.reading;
    this.cache.delete(url);
    const reading = this.fetchPage(url);
    const entry = { until: now + (this.options.ttlMs ?? 600_000), reading };
    this.cache.set(url, entry);
    reading.then(
      (r) => {
        if (r.problem !== null) entry.until = now + (this.options.failureTtlMs ?? 60_000);
      },
      () => this.cache.get(url) === entry && this.cache.delete(url), // not a fetch failure: not kept
    );
    while (this.cache.size > (this.options.maxEntries ?? 200)) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    return reading;
  }

  private async fetchPage(url: string): Promise<PageReading> {
    try {
      const page = await safeFetch(url, { ...PAGE_FETCH, ...this.options.fetch });
      if (page.notModified) return { metadata: null, problem: 'the page answered "not modified"' };
      return { metadata: parsePageMetadata(page.body, page.finalUrl), problem: null };
    } catch (error) {
      if (error instanceof FetchError) return { metadata: null, problem: pageProblem(error) };
      throw error;
    }
  }
}

function pageProblem(error: FetchError): string {
  if (error.kind === 'http') return `the page answered HTTP ${error.status ?? '?'}`;
  if (error.kind === 'content-type') return 'the address is not a web page';
  return error.reason;
}
