import { createHash } from 'node:crypto';
import type SharpFactory from 'sharp';
import type { Sharp } from 'sharp';
import {
  DERIVATIVES,
  MEDIA_LIMITS,
  type DerivativeName,
  type MediaFile,
  type MediaType,
} from '../domain/media.js';
import { sniffType, trailingBytes } from '../domain/media-sniff.js';
import { ValidationError } from '../domain/errors.js';
import { lazyRequire } from '../lazy-module.js';

export interface ProcessedFile extends MediaFile {
  data: Buffer;
}

export interface ProcessedUpload {
  original: ProcessedFile;
  derivatives: Partial<Record<DerivativeName, ProcessedFile>>;
}

const SHARP_FORMAT: Record<MediaType, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

const refuse = (problem: string) => new ValidationError({ file: problem });

const loadSharp = lazyRequire<typeof SharpFactory>('sharp');
let sharpReady: typeof SharpFactory | undefined;

/** sharp (libvips) on the first upload, not at start. */
function sharp(): typeof SharpFactory {
  if (sharpReady) return sharpReady;
  sharpReady = loadSharp();
  // libvips' operation cache keeps decoded images around for a pipeline that is never run twice here.
  sharpReady.cache(false);
  return sharpReady;
}

/**
 * Checks an upload by its content and re-encodes it: the type from the magic bytes must be the one sharp
 * decodes, nothing may follow the image (polyglots), and the stored file is a fresh encoding without EXIF,
 * GPS, XMP or comments (orientation applied by rotating the pixels). Then the derivatives.
 */
export async function processUpload(bytes: Buffer): Promise<ProcessedUpload> {
  if (bytes.length > MEDIA_LIMITS.bytes) throw refuse(`is larger than ${MEDIA_LIMITS.bytes / 1_048_576} MB`);
  const sniffed = sniffType(bytes);
  if ('problem' in sniffed) throw refuse(sniffed.problem);
  const { type } = sniffed;
  const extra = trailingBytes(bytes, type);
  if (extra > 0)
    throw refuse(
      `carries ${extra} bytes after the end of its ${SHARP_FORMAT[type].toUpperCase()} image (a polyglot file, or a damaged one): save it again from an image editor`,
    );
  const animated = type === 'image/gif' || type === 'image/webp';
  // Read top to bottom once: libvips then holds strips of the image, not all of it (unless it must rotate).
  const input = () =>
    sharp()(bytes, { animated, failOn: 'error', limitInputPixels: 100_000_000, sequentialRead: true });
  const meta = await input()
    .metadata()
    .catch(() => null);
  if (!meta || meta.format !== SHARP_FORMAT[type])
    throw refuse(`starts like a ${SHARP_FORMAT[type].toUpperCase()} image but cannot be decoded as one`);
  // The full-size JPEG without mozjpeg's trellis and progressive passes: 5-8 times faster at 12 MP for a
  // file about a tenth larger; the smaller versions, which most outputs use, keep them.
  const original = await encode(input().autoOrient(), type, 85, false).catch(() => {
    throw refuse(`is a damaged ${SHARP_FORMAT[type].toUpperCase()} image: it cannot be decoded`);
  });
  // One version at a time (each decodes the image), and one per distinct need: card and newsletter share theirs.
  const derivatives: ProcessedUpload['derivatives'] = {};
  const made = new Map<string, ProcessedFile | null>();
  const hasAlpha = meta.hasAlpha === true;
  for (const name of Object.keys(DERIVATIVES) as DerivativeName[]) {
    const need = JSON.stringify(DERIVATIVES[name]);
    if (!made.has(need)) made.set(need, await makeDerivative(original, name, hasAlpha));
    const version = made.get(need);
    if (version) derivatives[name] = version;
  }
  return { original, derivatives };
}

async function encode(image: Sharp, type: MediaType, quality = 85, mozjpeg = true): Promise<ProcessedFile> {
  // No withMetadata(): sharp writes no EXIF, XMP, IPTC or comments unless asked; keep the colour profile as sRGB.
  const encoded =
    type === 'image/jpeg'
      ? image.jpeg(mozjpeg ? { quality, mozjpeg: true } : { quality, optimiseCoding: true })
      : type === 'image/png'
        ? image.png({ compressionLevel: 9 })
        : type === 'image/webp'
          ? image.webp({ quality })
          : image.gif();
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return fileOf(data, type, info.width, info.pageHeight ?? info.height);
}

function fileOf(data: Buffer, type: MediaType, width: number, height: number): ProcessedFile {
  return {
    data,
    type,
    width,
    height,
    bytes: data.length,
    hash: createHash('sha256').update(data).digest('hex'),
  };
}

/**
 * The version an output needs, or null when the original already fits. Size-capped versions are JPEG
 * (PNG when the image has transparency), first frame only; lower quality, then smaller, until they fit.
 */
async function makeDerivative(
  original: ProcessedFile,
  name: DerivativeName,
  hasAlpha: boolean,
): Promise<ProcessedFile | null> {
  const spec: { width?: number; maxSide?: number; maxBytes?: number } = DERIVATIVES[name];
  const fitsSize = spec.width
    ? original.width <= spec.width
    : original.width <= spec.maxSide! && original.height <= spec.maxSide!;
  const fitsBytes = !spec.maxBytes || original.bytes <= spec.maxBytes;
  if (fitsSize && fitsBytes) return null;
  const type: MediaType = hasAlpha ? 'image/png' : 'image/jpeg';
  let side = spec.width ?? spec.maxSide!;
  for (let tries = 0; tries < 12; tries++) {
    for (const quality of type === 'image/jpeg' ? [85, 75, 65] : [100]) {
      const resize = spec.width
        ? { width: side, withoutEnlargement: true }
        : { width: side, height: side, fit: 'inside' as const, withoutEnlargement: true };
      const made = await encode(
        sharp()(original.data, { sequentialRead: true }).resize(resize),
        type,
        quality,
      );
      if (!spec.maxBytes || made.bytes <= spec.maxBytes) return made;
    }
    side = Math.floor(Math.min(side, Math.max(original.width, original.height)) * 0.8);
  }
  throw new Error(`could not make the ${name} version under ${spec.maxBytes} bytes`);
}
