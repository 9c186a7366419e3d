import { FetchError, safeFetchBytes } from '../net/safe-fetch.js';
import type { SafeFetchOptions } from '../net/safe-fetch.js';
import { ChannelError } from './adapter.js';

export interface FetchedImage {
  bytes: Buffer;
  /** MIME type, e.g. image/png. */
  type: string;
}

/** What an installation (or a test) decides about image fetches: private addresses, name resolution. */
export type ImageFetchPolicy = Pick<SafeFetchOptions, 'allowPrivate' | 'allowAddresses' | 'resolveHost'>;

const SUPPORTED = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/**
 * Downloads an item's image for upload with safeFetch's SSRF protection (the address checked after DNS
 * resolution and after every redirect; private addresses refused unless the policy allows them); problems
 * become ChannelErrors in plain words: permanent when trying again cannot help, transient otherwise.
 */
export async function fetchImage(
  url: string,
  options: { timeoutMs: number; maxBytes: number } & ImageFetchPolicy,
): Promise<FetchedImage> {
  try {
    const fetched = await safeFetchBytes(url, {
      ...options,
      userAgent: 'Herald',
      accept: SUPPORTED.join(', '),
      contentTypes: SUPPORTED,
    });
    if (fetched.notModified) throw new FetchError(url, 'http', 'HTTP 304', 304); // never asked for
    return { bytes: fetched.body, type: (fetched.contentType ?? '').split(';')[0]!.trim().toLowerCase() };
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    throw imageError(error, url, options.maxBytes);
  }
}

function imageError(error: FetchError, url: string, maxBytes: number): ChannelError {
  const permanent = (platformCode: string, message: string) =>
    new ChannelError({ kind: 'permanent', platformCode, message });
  switch (error.kind) {
    case 'blocked':
      return permanent('image_blocked', `imageUrl ${blockedWhere(error, url)}; Herald does not fetch those.`);
    case 'invalid-url':
      return permanent(
        'image_url',
        `Could not download the item's image: ${error.reason}. Check the image URL.`,
      );
    case 'redirect':
      return permanent(
        'image_fetch',
        `Could not download the item's image: ${error.reason}. Check the image URL.`,
      );
    case 'too-large':
      return permanent(
        'image_size',
        `The item's image is larger than ${Math.round(maxBytes / 1_048_576)} MB, the platform's limit.`,
      );
    case 'content-type':
      return permanent(
        'image_type',
        `The item's image is not a JPEG, PNG, GIF or WebP picture (${error.reason}).`,
      );
    case 'http': {
      const status = error.status ?? 0;
      const message = `Could not download the item's image (HTTP ${status}): check the image URL.`;
      if (status >= 500 || status === 429)
        return new ChannelError({ kind: 'transient', platformCode: 'image_fetch', message });
      return permanent('image_fetch', message);
    }
    default: // timeout, network, cancelled
      return new ChannelError({
        kind: 'transient',
        platformCode: 'image_fetch',
        message: `Could not download the item's image (${error.reason}): will try again.`,
      });
  }
}

/** "points at a private or loopback address (10.0.0.1)", naming the host name or the redirect when there is one. */
function blockedWhere(error: FetchError, url: string): string {
  const address = error.address ?? 'unknown';
  const redirected = error.url !== new URL(url).href;
  const host = new URL(error.url).hostname.replace(/^\[(.*)\]$/, '$1');
  const where = host === address ? address : `${host} is ${address}`;
  return `${redirected ? 'redirects to' : 'points at'} a private or loopback address (${where})`;
}
