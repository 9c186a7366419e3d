import type { MediaType } from './media.js';

/**
 * What a file is, from its first bytes (never its name). Returns the image type, or a plain description
 * of what it looks like instead, for the refusal.
 */
export function sniffType(bytes: Buffer): { type: MediaType } | { problem: string } {
  const head = bytes.subarray(0, 12);
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff)
    return { type: 'image/jpeg' };
  if (head.subarray(0, 8).equals(PNG_SIGNATURE)) return { type: 'image/png' };
  const ascii = head.toString('latin1');
  if (ascii.startsWith('GIF87a') || ascii.startsWith('GIF89a')) return { type: 'image/gif' };
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return { type: 'image/webp' };
  return { problem: `is not a JPEG, PNG, WebP or GIF image (${looksLike(bytes)})` };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function looksLike(bytes: Buffer): string {
  const start = bytes
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/<svg[\s>]/.test(start) || (start.startsWith('<?xml') && start.includes('<svg')))
    return 'it is an SVG drawing, which can carry scripts: export it as PNG';
  if (/^<(!doctype html|html|head|body|script|iframe|div|p)[\s>]/.test(start)) return 'it is HTML';
  if (start.startsWith('<')) return 'it is XML or HTML';
  if (start.startsWith('%pdf')) return 'it is a PDF';
  if (bytes.length === 0) return 'the file is empty';
  return 'its content is of an unknown kind';
}

/**
 * Bytes after the image's own end: a polyglot (an image that is also HTML, a ZIP or a script) or a
 * damaged file. JPEG: after the last EOI marker of the main image, only further embedded JPEGs (MPF
 * pictures, HDR gain maps, which phones add) are tolerated. Returns the number of foreign trailing bytes.
 */
export function trailingBytes(bytes: Buffer, type: MediaType): number {
  switch (type) {
    case 'image/png': {
      const iend = bytes.lastIndexOf(IEND);
      return iend < 0 ? 0 : bytes.length - (iend + IEND.length + 4); // + CRC
    }
    case 'image/gif': {
      let end = bytes.length;
      while (end > 0 && bytes[end - 1] === 0x00) end--; // zero padding some encoders leave
      return bytes[end - 1] === 0x3b ? bytes.length - end : foreignGifTail(bytes);
    }
    case 'image/webp': {
      const declared = bytes.readUInt32LE(4) + 8;
      return Math.max(0, bytes.length - declared - (declared % 2));
    }
    case 'image/jpeg': {
      const end = jpegEnd(bytes);
      if (end < 0) return 0;
      const rest = bytes.subarray(end);
      const trimmed = rest.subarray(0, rest.length - countTrailing(rest, 0x00));
      if (trimmed.length === 0) return 0;
      return trimmed[0] === 0xff && trimmed[1] === 0xd8 ? 0 : trimmed.length;
    }
  }
}

const IEND = Buffer.from('IEND', 'latin1');

/** The offset just past the EOI marker of the JPEG starting at 0 (segments skipped by their lengths), or -1. */
function jpegEnd(bytes: Buffer): number {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return -1;
    const marker = bytes[at + 1]!;
    if (marker === 0xd9) return at + 2;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    at += 2 + bytes.readUInt16BE(at + 2);
    if (marker === 0xda) at = nextMarker(bytes, at); // entropy-coded data follows the scan header
  }
  return -1;
}

/** In entropy-coded data, 0xFF is followed by 0x00 (stuffing) or a restart marker; anything else is a marker. */
function nextMarker(bytes: Buffer, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0xff) continue;
    const next = bytes[i + 1]!;
    if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) return i;
  }
  return bytes.length;
}

function countTrailing(bytes: Buffer, value: number): number {
  let n = 0;
  while (n < bytes.length && bytes[bytes.length - 1 - n] === value) n++;
  return n;
}

/** A GIF whose last byte is not the trailer: what follows the last trailer is foreign. */
function foreignGifTail(bytes: Buffer): number {
  const trailer = bytes.lastIndexOf(0x3b);
  return trailer < 0 ? 0 : bytes.length - trailer - 1;
}
