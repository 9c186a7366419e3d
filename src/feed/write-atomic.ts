import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BuiltFeeds, FeedChunks } from './build.js';
import { FEED_FILE_NAMES, FEED_FORMATS, feedFilePath, feedVariantDir } from './variants.js';
import type { FeedVariant } from './variants.js';

const TEMP_SUFFIX = '.tmp';

export interface AtomicWriteOptions {
  mode?: number;
  /** Test seam: runs after the temp file is written and synced, before the rename. */
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

/**
 * Replaces `path` so that readers see either the old or the new complete file, even after a crash:
 * temp file in the same directory (same file system, so rename is atomic), fsync, rename, then
 * fsync the directory so the rename itself survives a power loss.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tempPath = await writeSyncedTemp(path, data, options.mode);
  try {
    await options.beforeRename?.(tempPath);
    await rename(tempPath, path);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

function tempPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
  );
}

/** Writes `data` to a new temp file next to `path` and fsyncs it; returns the temp file's path. */
async function writeSyncedTemp(
  path: string,
  data: string | Uint8Array | readonly string[],
  mode = 0o644,
): Promise<string> {
  const tempPath = tempPathFor(path);
  try {
    const file = await open(tempPath, 'wx', mode);
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await file.writeFile(data);
      else await writeChunks(file, data);
      await file.sync();
    } finally {
      await file.close();
    }
    return tempPath;
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
}

/**
 * Writes consecutive chunks, encoded into a buffer of about 1 MB at a time: few system calls, no
 * joined copy of the whole document, and each character encoded once.
 */
async function writeChunks(file: FileHandle, chunks: readonly string[], size = 1 << 20): Promise<void> {
  let buffer = Buffer.allocUnsafe(size);
  let used = 0;
  for (const chunk of chunks) {
    const bytes = Buffer.byteLength(chunk, 'utf8');
    if (used + bytes > buffer.length && used > 0) {
      await file.write(buffer, 0, used);
      buffer = Buffer.allocUnsafe(size); // the previous one may still be referenced by the write
      used = 0;
    }
    if (bytes > buffer.length) {
      await file.write(chunk);
      continue;
    }
    used += buffer.write(chunk, used, 'utf8');
  }
  if (used > 0) await file.write(buffer, 0, used);
}

/** A file's content given whole or as consecutive chunks (feed documents are built as chunks). */
export type FileContent = string | readonly string[];

/**
 * Replaces several files of one directory, each atomically (synced temp file, then rename), with one
 * directory fsync at the end instead of one per file. Files that already hold their content are left
 * alone (compared by size, then SHA-256, without decoding what is on disk). A crash in between
 * leaves each file either old or new, never partial. Returns the names written.
 */
export async function writeFilesAtomicIfChanged(
  dir: string,
  files: readonly { name: string; data: FileContent }[],
  /** False when the caller knows the content changed: skips reading and hashing what is on disk. */
  compare = true,
): Promise<string[]> {
  const same = compare
    ? await Promise.all(files.map((f) => holdsContent(join(dir, f.name), f.data)))
    : files.map(() => false);
  const changed = files.filter((_f, i) => !same[i]);
  if (changed.length === 0) return [];
  const temps = await Promise.all(changed.map((f) => writeSyncedTemp(join(dir, f.name), f.data)));
  try {
    for (const [i, f] of changed.entries()) await rename(temps[i]!, join(dir, f.name));
  } catch (error) {
    await Promise.all(temps.map((t) => unlink(t).catch(() => undefined)));
    throw error;
  }
  await syncDirectory(dir);
  return changed.map((f) => f.name);
}

/**
 * A file written piece by piece into a temp file next to it (buffered about 1 MB at a time) and hashed on the
 * way, then synced: `replace` renames it into place only when its bytes differ from the file's, and otherwise
 * removes it, so an unchanged file keeps its mtime. Memory does not grow with the file.
 */
export class StreamedFile {
  private readonly hash = createHash('sha256');
  private buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private bytes = 0;

  private constructor(
    readonly path: string,
    private readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<StreamedFile> {
    const tempPath = tempPathFor(path);
    return new StreamedFile(path, tempPath, await open(tempPath, 'wx', 0o644));
  }

  async write(piece: string): Promise<void> {
    this.hash.update(piece, 'utf8');
    const size = Buffer.byteLength(piece, 'utf8');
    this.bytes += size;
    if (this.used + size > this.buffer.length) await this.flush();
    if (size > this.buffer.length) await this.handle.write(piece);
    else this.used += this.buffer.write(piece, this.used, 'utf8');
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.handle.write(this.buffer, 0, this.used);
    this.buffer = Buffer.allocUnsafe(this.buffer.length); // the written one may still be referenced
    this.used = 0;
  }

  /**
   * Syncs the temp file; renames it over the file when `compare` is false or their bytes differ (size,
   * then SHA-256), else removes it. Returns whether it replaced the file. The caller fsyncs the directory.
   */
  async replace(compare: boolean): Promise<boolean> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    const digest = this.hash.digest();
    const same = compare && (await holdsDigest(this.path, this.bytes, digest));
    if (same) await unlink(this.tempPath);
    else await rename(this.tempPath, this.path);
    return !same;
  }

  /** Closes and removes the temp file (after a failure). */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }
}

async function holdsDigest(path: string, bytes: number, digest: Buffer): Promise<boolean> {
  const info = await stat(path).catch(missingAsNull);
  if (info === null || info.size !== bytes) return false;
  const current = await fileHash(path).catch(missingAsNull);
  return current !== null && current.equals(digest);
}

async function holdsContent(path: string, data: FileContent): Promise<boolean> {
  const chunks = typeof data === 'string' ? [data] : data;
  const info = await stat(path).catch(missingAsNull);
  if (info === null || info.size !== chunks.reduce((n, c) => n + Buffer.byteLength(c, 'utf8'), 0))
    return false;
  const current = await fileHash(path).catch(missingAsNull);
  if (current === null) return false;
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk, 'utf8');
  return hash.digest().equals(current);
}

/** SHA-256 of a file, read as a stream (feeds of thousands of items are tens of megabytes). */
async function fileHash(path: string): Promise<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest();
}

function missingAsNull(error: NodeJS.ErrnoException): null {
  if (error.code === 'ENOENT') return null;
  throw error;
}

/** Like writeFileAtomic, but leaves the file (and its mtime) alone when it already holds `data`. Returns whether it wrote. */
export async function writeFileAtomicIfChanged(
  path: string,
  data: string,
  options: AtomicWriteOptions = {},
): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (current === data) return false;
  await writeFileAtomic(path, data, options);
  return true;
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Writes rss.xml, atom.xml and feed.json of a variant under `feedsDir` (layout in variants.ts).
 * Each file is replaced atomically; unchanged files are not rewritten. Returns the relative paths written.
 */
export async function writeFeedFiles(
  feedsDir: string,
  variant: FeedVariant,
  feeds: BuiltFeeds | FeedChunks,
  /** Small files replaced after the feeds, in the same directory (e.g. what they were built from). */
  trailer: readonly { name: string; data: string }[] = [],
  compare = true,
): Promise<string[]> {
  const dir = join(feedsDir, feedVariantDir(variant));
  await mkdir(dir, { recursive: true });
  const names = await writeFilesAtomicIfChanged(
    dir,
    [...FEED_FORMATS.map((format) => ({ name: FEED_FILE_NAMES[format], data: feeds[format] })), ...trailer],
    compare,
  );
  return FEED_FORMATS.filter((format) => names.includes(FEED_FILE_NAMES[format])).map((format) =>
    feedFilePath(variant, format),
  );
}

/**
 * Deletes temp files left by a writer that crashed (older than `olderThanMs`, so that a concurrent
 * writer's temp file is not pulled from under it). Returns how many it removed.
 */
export async function removeStaleTempFiles(
  dir: string,
  olderThanMs = 60 * 60 * 1000,
  now = Date.now(),
): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const feedFiles = Object.values(FEED_FILE_NAMES);
  let removed = 0;
  for (const name of names) {
    const isOurTemp = name.endsWith(TEMP_SUFFIX) && feedFiles.some((file) => name.startsWith(`.${file}.`));
    if (!isOurTemp) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (
      info &&
      now - info.mtimeMs >= olderThanMs &&
      (await unlink(path).then(
        () => true,
        () => false,
      ))
    )
      removed++;
  }
  return removed;
}
