import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BuiltFeeds } from './build.js';
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
  const dir = dirname(path);
  const tempPath = join(
    dir,
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
  );
  try {
    const file = await open(tempPath, 'wx', options.mode ?? 0o644);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await options.beforeRename?.(tempPath);
    await rename(tempPath, path);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
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

async function syncDirectory(dir: string): Promise<void> {
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
  feeds: BuiltFeeds,
): Promise<string[]> {
  await mkdir(join(feedsDir, feedVariantDir(variant)), { recursive: true });
  const written: string[] = [];
  for (const format of FEED_FORMATS) {
    const relative = feedFilePath(variant, format);
    if (await writeFileAtomicIfChanged(join(feedsDir, relative), feeds[format])) written.push(relative);
  }
  return written;
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
