/** Bluesky refuses image blobs of 1,000,000 bytes or more (thumbnails and images alike). */
export const MAX_BLOB_BYTES = 1_000_000;
const MAX_SIDE = 2000;
const QUALITIES = [85, 70, 55, 40];

export interface BlobImage {
  bytes: Buffer;
  type: string;
  width?: number | undefined;
  height?: number | undefined;
}

/**
 * The image as uploaded: unchanged when already small enough, otherwise re-encoded as JPEG, first at
 * lower quality, then smaller, until it is below the limit.
 */
export async function reducedImage(bytes: Buffer, type: string): Promise<BlobImage> {
  // Loaded on first use: a native module most processes (API, CLI, other platforms) never need.
  const { default: sharp } = await import('sharp');
  const meta = await sharp(bytes).metadata();
  const size = { width: meta.width, height: meta.height };
  if (bytes.length < MAX_BLOB_BYTES) return { bytes, type, ...size };
  for (let side = MAX_SIDE; side >= 250; side = Math.floor(side / 2)) {
    for (const quality of QUALITIES) {
      const { data, info } = await sharp(bytes)
        .rotate()
        .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, mozjpeg: true })
        .toBuffer({ resolveWithObject: true });
      if (data.length < MAX_BLOB_BYTES)
        return { bytes: data, type: 'image/jpeg', width: info.width, height: info.height };
    }
  }
  throw new Error('the image cannot be reduced below 1,000,000 bytes');
}
