import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** A feed file ready to serve: its bytes, a strong ETag (content hash) and its modification time. */
export interface FeedFile {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

interface Cached {
  ino: number;
  size: number;
  mtimeMs: number;
  file: FeedFile;
}

/**
 * Reads feed files for serving, hashing each version once. A rebuild replaces files by rename, so a
 * new inode, size or mtime means new content; the handle is stat'ed and read as one, so the ETag
 * always belongs to the bytes served with it. Bounded by total bytes (least recently used go first).
 */
export class FeedFileReader {
  private readonly cache = new Map<string, Cached>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /** The file, or null when it does not exist. */
  async read(path: string): Promise<FeedFile | null> {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw error;
    }
    try {
      const info = await handle.stat();
      const cached = this.cache.get(path);
      if (cached && cached.ino === info.ino && cached.size === info.size && cached.mtimeMs === info.mtimeMs) {
        this.touch(path, cached);
        return cached.file;
      }
      const body = await handle.readFile();
      const file: FeedFile = { body, etag: etagOf(body), lastModified: info.mtime };
      this.store(path, { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs, file });
      return file;
    } finally {
      await handle.close();
    }
  }

  private touch(path: string, entry: Cached): void {
    this.cache.delete(path);
    this.cache.set(path, entry);
  }

  private store(path: string, entry: Cached): void {
    const previous = this.cache.get(path);
    if (previous) {
      this.cache.delete(path);
      this.bytes -= previous.size;
    }
    if (entry.size > this.maxBytes) return;
    this.cache.set(path, entry);
    this.bytes += entry.size;
    for (const [key, old] of this.cache) {
      if (this.bytes <= this.maxBytes) break;
      this.cache.delete(key);
      this.bytes -= old.size;
    }
  }
}

export function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/**
 * Whether a conditional GET can be answered 304 (RFC 9110 13.1): If-None-Match decides when present
 * (weak comparison, `*` matches any); otherwise If-Modified-Since, to the second.
 */
export function notModified(
  file: FeedFile,
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
): boolean {
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    const wanted = file.etag.replace(/^W\//, '');
    return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === wanted);
  }
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since)) return false;
  return Math.floor(file.lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}
