import { z } from 'zod';
import type { NewsItem } from './item.js';
import { ValidationError } from './errors.js';

export const MEDIA_LIMITS = { bytes: 15 * 1024 * 1024, alt: 1_000 } as const;

export const MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export const EXTENSIONS: Record<MediaType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/** The served name of a stored file: its SHA-256 and its own extension, nothing a client chose. */
export const MEDIA_FILE = /^([0-9a-f]{64})\.(jpg|png|webp|gif)$/;

export function typeOfExtension(ext: string): MediaType | null {
  const found = Object.entries(EXTENSIONS).find(([, e]) => e === ext);
  return found ? (found[0] as MediaType) : null;
}

/**
 * The versions of an upload each output needs. `maxBytes`: the platform's limit (Bluesky refuses blobs over
 * 1,000,000 bytes, X images over 5 MB); `width`: the widest it is shown (link cards 1200 px, newsletters
 * 600 px shown, 1200 px for high-density screens). Never enlarged.
 */
export const DERIVATIVES = {
  bluesky: { maxSide: 2000, maxBytes: 1_000_000 },
  x: { maxSide: 4096, maxBytes: 5 * 1024 * 1024 },
  card: { width: 1200 },
  newsletter: { width: 1200 },
} as const;
export type DerivativeName = keyof typeof DERIVATIVES;

export interface MediaFile {
  hash: string;
  type: MediaType;
  width: number;
  height: number;
  bytes: number;
}

export interface Media extends MediaFile {
  id: string;
  alt: string;
  derivatives: Partial<Record<DerivativeName, MediaFile>>;
  createdBy: string;
  createdAt: string;
}

export const fileName = (f: Pick<MediaFile, 'hash' | 'type'>): string => `${f.hash}.${EXTENSIONS[f.type]}`;

// eslint-disable-next-line no-control-regex -- NUL is exactly what this rejects
const NUL = /\u0000/;

const altSchema = z
  .string({ error: 'is required (describe the image for people who cannot see it)' })
  .max(MEDIA_LIMITS.alt, `must be at most ${MEDIA_LIMITS.alt} characters`)
  .refine((v) => !NUL.test(v), 'must not contain NUL characters')
  .refine((v) => v.trim().length > 0, 'is required (describe the image for people who cannot see it)');

/** Alt text, trimmed; throws ValidationError naming `alt`. */
export function validateAlt(value: unknown): string {
  const parsed = altSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError({ alt: parsed.error.issues[0]!.message });
  return parsed.data.trim();
}

/** Which version each output shows: the platforms' byte limits, cards and newsletters by width. */
export type ImageUse = DerivativeName;

/** A platform's version: Bluesky's 1,000,000-byte limit, else X's 5 MB (Facebook photos take it too). */
export const imageUseFor = (platform: string): ImageUse => (platform === 'bluesky' ? 'bluesky' : 'x');

/**
 * The item as an output sees it: an uploaded picture (imageId) becomes the public address of the version
 * this output needs (imageUrl), its stored file (imageFile) and its alt text unless the item gives its own.
 * An item without an upload, or whose upload is gone, is returned as it is.
 */
export function withUpload<
  T extends Pick<NewsItem, 'imageId' | 'imageUrl' | 'imageAlt' | 'imageFile' | 'imageSize'>,
>(item: T, media: Media | null, use: ImageUse, publicUrl: string): T {
  if (!item.imageId || !media) return item;
  const version = media.derivatives[use] ?? media;
  const file = fileName(version);
  return {
    ...item,
    imageUrl: `${publicUrl}/media/${file}`,
    imageAlt: item.imageAlt?.trim() ? item.imageAlt : media.alt,
    imageFile: file,
    imageSize: { bytes: version.bytes, type: version.type },
  };
}
