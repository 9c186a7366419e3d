import { lookup } from 'node:dns/promises';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { nonPublicAddressKind } from '../domain/ip-address.js';
import { HeraldError } from '../domain/errors.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface SafeFetchOptions {
  /** ETag / Last-Modified of the previous fetch, sent as If-None-Match / If-Modified-Since. */
  etag?: string | null | undefined;
  lastModified?: string | null | undefined;
  /** Allow private, loopback and link-local addresses (tests, intranet sources). Default false. */
  allowPrivate?: boolean | undefined;
  /** Exact addresses allowed even though they are not public (narrower than allowPrivate). */
  allowAddresses?: readonly string[] | undefined;
  /** Default 5 MB. */
  maxBytes?: number | undefined;
  /** For the whole fetch, redirects and body included. Default 10 s. */
  timeoutMs?: number | undefined;
  /** Default 3. */
  maxRedirects?: number | undefined;
  /** `HEAD`: headers only (the body is empty; `contentLength` says what a GET would bring). Default GET. */
  method?: 'GET' | 'HEAD' | undefined;
  userAgent?: string | undefined;
  /** Accept header; default: feed formats first. */
  accept?: string | undefined;
  /** Media types (no parameters, lower case) read; another is refused before its body is read. Default: any. */
  contentTypes?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
  /** Host name resolution, all addresses; default dns.lookup. */
  resolveHost?: ((hostname: string) => Promise<ResolvedAddress[]>) | undefined;
}

type Fetched<Body> =
  | { notModified: true; status: 304; finalUrl: string; etag: string | null; lastModified: string | null }
  | {
      notModified: false;
      status: number;
      body: Body;
      contentType: string | null;
      /** The Content-Length header, when the server sent a valid one. */
      contentLength: number | null;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
    };
/** The body decoded as text (feeds). */
export type SafeFetchResult = Fetched<string>;
/** The body as bytes (images). */
export type SafeFetchBytesResult = Fetched<Buffer>;

export type FetchErrorKind =
  | 'invalid-url'
  | 'blocked'
  | 'redirect'
  | 'too-large'
  | 'content-type'
  | 'timeout'
  | 'http'
  | 'network'
  | 'cancelled';

/** A fetch that failed; `reason` is a plain sentence for the status page ("address 10.0.0.1 is private"). */
export class FetchError extends HeraldError {
  constructor(
    readonly url: string,
    readonly kind: FetchErrorKind,
    readonly reason: string,
    readonly status: number | null = null,
    /** For `blocked`: the address refused. */
    readonly address: string | null = null,
  ) {
    super(`could not fetch ${url}: ${reason}`, { code: `fetch_${kind}`, httpStatus: 502 });
  }
}

const DEFAULTS = { maxBytes: 5 * 1024 * 1024, timeoutMs: 10_000, maxRedirects: 3 };
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** safeFetchBytes, with the body decoded as text (see decodeBody). */
export async function safeFetch(url: string, options: SafeFetchOptions = {}): Promise<SafeFetchResult> {
  const fetched = await safeFetchBytes(url, options);
  return fetched.notModified ? fetched : { ...fetched, body: decodeBody(fetched.body, fetched.contentType) };
}

/**
 * GETs a URL with SSRF protection (feed ingest, item images): http(s) only; every address the host
 * resolves to must be public (unless allowPrivate), and the connection goes to that checked address (so
 * a DNS answer that changes between check and connect cannot redirect it); redirects are followed by
 * hand and re-checked; size and total time are capped; the content type can be restricted.
 */
export async function safeFetchBytes(
  url: string,
  options: SafeFetchOptions = {},
): Promise<SafeFetchBytesResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let current = url;
  try {
    return await fetchFollowingRedirects(url, options, signal, (next) => (current = next));
  } catch (error) {
    if (error instanceof FetchError) throw error;
    if (timeout.aborted) throw new FetchError(current, 'timeout', `timed out after ${timeoutMs / 1000} s`);
    if (options.signal?.aborted) throw new FetchError(current, 'cancelled', 'cancelled');
    throw new FetchError(current, 'network', networkReason(error));
  }
}

async function fetchFollowingRedirects(
  url: string,
  options: SafeFetchOptions,
  signal: AbortSignal,
  onUrl: (url: string) => void,
): Promise<SafeFetchBytesResult> {
  const maxRedirects = options.maxRedirects ?? DEFAULTS.maxRedirects;
  let target = parseHttpUrl(url);
  for (let redirects = 0; ; redirects++) {
    onUrl(target.href);
    const address = await checkedAddress(target, options, signal);
    const response = await get(target, options.method ?? 'GET', address, requestHeaders(options), signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECT_STATUSES.has(status) && location) {
      response.destroy();
      if (redirects >= maxRedirects) {
        throw new FetchError(target.href, 'redirect', `too many redirects (more than ${maxRedirects})`);
      }
      target = parseHttpUrl(new URL(location, target).href);
      continue;
    }
    const etag = header(response, 'etag');
    const lastModified = header(response, 'last-modified');
    if (status === 304) {
      response.destroy();
      return { notModified: true, status: 304, finalUrl: target.href, etag, lastModified };
    }
    if (status < 200 || status > 299) {
      response.destroy();
      throw new FetchError(target.href, 'http', `HTTP ${status} from the source`, status);
    }
    const contentType = header(response, 'content-type');
    const mediaType = mediaTypeOf(contentType);
    if (options.contentTypes && !options.contentTypes.includes(mediaType)) {
      response.destroy();
      throw new FetchError(
        target.href,
        'content-type',
        `content type "${mediaType || 'unknown'}" is not accepted`,
      );
    }
    const maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
    const head = options.method === 'HEAD';
    if (head) response.destroy();
    const body = head ? Buffer.alloc(0) : await readCapped(response, maxBytes, target.href);
    const length = Number(header(response, 'content-length') ?? NaN);
    return {
      notModified: false,
      status,
      body,
      contentType,
      contentLength: Number.isSafeInteger(length) && length >= 0 ? length : null,
      etag,
      lastModified,
      finalUrl: target.href,
    };
  }
}

function parseHttpUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FetchError(value, 'invalid-url', 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError(
      value,
      'invalid-url',
      `only http and https URLs can be fetched (got ${url.protocol})`,
    );
  }
  return url;
}

/** The address to connect to, after checking every address the host has. */
async function checkedAddress(
  url: URL,
  options: SafeFetchOptions,
  signal: AbortSignal,
): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal as 4 | 6 }]
    : await resolve(host, url, options, signal);
  if (!options.allowPrivate) {
    for (const { address } of addresses) {
      const kind = nonPublicAddressKind(address);
      if (kind !== null && !options.allowAddresses?.includes(address)) {
        const of = literal ? '' : ` (of ${host})`;
        throw new FetchError(url.href, 'blocked', `address ${address}${of} is ${kind}`, null, address);
      }
    }
  }
  const first = addresses[0];
  if (!first) throw new FetchError(url.href, 'network', `host name ${host} has no address`);
  return first;
}

async function resolve(
  host: string,
  url: URL,
  options: SafeFetchOptions,
  signal: AbortSignal,
): Promise<ResolvedAddress[]> {
  const resolveHost = options.resolveHost ?? defaultResolveHost;
  try {
    return await abortable(resolveHost(host), signal);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA')
      throw new FetchError(url.href, 'network', `host name ${host} not found`);
    throw error;
  }
}

async function defaultResolveHost(hostname: string): Promise<ResolvedAddress[]> {
  const results = await lookup(hostname, { all: true, verbatim: true });
  return results.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolvePromise, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function requestHeaders(options: SafeFetchOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': options.userAgent ?? 'Herald feed reader',
    accept:
      options.accept ??
      'application/rss+xml, application/atom+xml, application/feed+json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
    // Uncompressed, so the size cap is on what we hold in memory (no decompression bombs).
    'accept-encoding': 'identity',
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  return headers;
}

/** Connects to `address` whatever the host name resolves to now; TLS still verifies the host name. */
function pinnedLookup({ address, family }: ResolvedAddress): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function get(
  url: URL,
  method: 'GET' | 'HEAD',
  address: ResolvedAddress,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolvePromise, reject) => {
    const request = client.request(
      {
        method,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers,
        signal,
        agent: false, // a fresh connection, never a pooled socket opened for another check
        lookup: pinnedLookup(address),
      },
      resolvePromise,
    );
    request.on('error', reject);
    request.end();
  });
}

async function readCapped(response: IncomingMessage, maxBytes: number, url: string): Promise<Buffer> {
  const tooLarge = () => new FetchError(url, 'too-large', `response larger than ${formatBytes(maxBytes)}`);
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** `image/png; charset=x` -> `image/png`. */
function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function header(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Decodes by BOM, else the Content-Type charset, else the XML declaration's encoding, else UTF-8. The BOM is dropped. */
export function decodeBody(body: Buffer, contentType: string | null): string {
  const label = bomEncoding(body) ?? charsetOf(contentType) ?? xmlDeclaredEncoding(body) ?? 'utf-8';
  try {
    return new TextDecoder(label).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

function bomEncoding(body: Buffer): string | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return null;
}

function charsetOf(contentType: string | null): string | null {
  return /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1] ?? null;
}

function xmlDeclaredEncoding(body: Buffer): string | null {
  const start = body.subarray(0, 200).toString('latin1');
  return /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(start)?.[1] ?? null;
}

function formatBytes(bytes: number): string {
  const mb = 1024 * 1024;
  if (bytes % mb === 0) return `${bytes / mb} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} kB`;
  return `${bytes} bytes`;
}

function networkReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset by the source';
  if (code === 'ETIMEDOUT') return 'connection timed out';
  if (code?.startsWith('ERR_TLS') || code === 'CERT_HAS_EXPIRED' || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return `TLS error (${code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
