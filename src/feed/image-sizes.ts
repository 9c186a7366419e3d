import type { Kysely } from 'kysely';
import type { ImageSize, NewsItem } from '../domain/item.js';
import { safeFetchBytes, type SafeFetchOptions } from '../net/safe-fetch.js';
import type { Database } from '../store/schema.js';
import { findRemoteImages, saveRemoteImage, type RemoteImage } from '../store/remote-images.js';
import { nowIso } from '../store/db.js';
import { absoluteHttpUrl } from './feed-entry.js';

/** An address whose HEAD failed or said nothing is asked again after this long. */
const RETRY_UNKNOWN_MS = 24 * 60 * 60 * 1000;
/** New addresses asked per rebuild: a first rebuild over years of items must not hold the rebuild lease for minutes. */
const HEADS_PER_BUILD = 40;
const HEADS_IN_PARALLEL = 4;
const HEAD_TIMEOUT_MS = 5_000;

export type ImageHeadPolicy = Pick<SafeFetchOptions, 'allowPrivate' | 'resolveHost'>;

/** How many new addresses may still be asked: one per rebuild, shared by its pages. */
export interface HeadBudget {
  left: number;
}

export const headBudget = (): HeadBudget => ({ left: HEADS_PER_BUILD });

/**
 * Items whose image is an address (imageUrl, not an upload) get the byte length and type a HEAD of that
 * address gave (cached in remote_images), for the feeds' enclosures. Addresses not asked yet are asked
 * now, through safeFetch (public addresses only, unless allowed); the answer is kept, a failure too
 * (asked again a day later). Items whose size stays unknown are returned as they are.
 */
export async function withImageSizes(
  db: Kysely<Database>,
  items: NewsItem[],
  policy: ImageHeadPolicy,
  budget: HeadBudget = headBudget(),
): Promise<NewsItem[]> {
  const urls = [...new Set(items.filter((i) => !i.imageSize).map((i) => absoluteHttpUrl(i.imageUrl)))].filter(
    (u): u is string => u !== null,
  );
  if (urls.length === 0) return items;
  const known = await findRemoteImages(db, urls);
  const due = urls.filter((url) => isDue(known.get(url))).slice(0, Math.max(0, budget.left));
  budget.left -= due.length;
  for (let i = 0; i < due.length; i += HEADS_IN_PARALLEL) {
    const answers = await Promise.all(due.slice(i, i + HEADS_IN_PARALLEL).map((url) => head(url, policy)));
    for (const answer of answers) {
      await saveRemoteImage(db, answer);
      known.set(answer.url, answer);
    }
  }
  return items.map((item) => {
    const size = sizeOf(known.get(absoluteHttpUrl(item.imageUrl) ?? ''));
    return item.imageSize || !size ? item : { ...item, imageSize: size };
  });
}

function isDue(image: RemoteImage | undefined): boolean {
  if (!image) return true;
  return image.bytes === null && Date.now() - Date.parse(image.checkedAt) > RETRY_UNKNOWN_MS;
}

function sizeOf(image: RemoteImage | undefined): ImageSize | null {
  return image?.bytes != null && image.type ? { bytes: image.bytes, type: image.type } : null;
}

async function head(url: string, policy: ImageHeadPolicy): Promise<RemoteImage> {
  const answer = await safeFetchBytes(url, {
    ...policy,
    method: 'HEAD',
    timeoutMs: HEAD_TIMEOUT_MS,
    accept: 'image/*',
    userAgent: 'Herald feed builder',
  }).catch(() => null);
  const type =
    answer && !answer.notModified ? (answer.contentType ?? '').split(';')[0]!.trim().toLowerCase() : '';
  const bytes = answer && !answer.notModified ? answer.contentLength : null;
  // Only an image type counts: an HTML error page answered 200 must not become the enclosure's size.
  const isImage = type.startsWith('image/');
  return { url, type: isImage ? type : null, bytes: isImage ? bytes : null, checkedAt: nowIso() };
}
