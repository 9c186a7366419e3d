import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * Where uploaded files live: the data dir (below) or an S3 bucket (s3-store.ts). Names are content hashes
 * with their extension (`<sha256>.<ext>`), so a file never changes once written: put leaves a name that is
 * already stored as it is, and readers may cache forever.
 */
export interface MediaStore {
  /** Stores the bytes under `name` with their type, unless `name` is stored already. */
  put(name: string, bytes: Buffer, type: string): Promise<void>;
  /** The file's bytes, or null when there is none. */
  get(name: string): Promise<Buffer | null>;
  has(name: string): Promise<boolean>;
  delete(name: string): Promise<void>;
}

/** The embedded store: `<dataDir>/media/<name>`, written to a temporary name then renamed (never half a file). */
export function dataDirMediaStore(dataDir: string): MediaStore {
  const dir = path.join(dataDir, 'media');
  const file = (name: string) => path.join(dir, path.basename(name));
  const has = (name: string) =>
    stat(file(name)).then(
      () => true,
      () => false,
    );
  return {
    has,
    async put(name, bytes) {
      if (await has(name)) return;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = path.join(dir, `.${randomUUID()}.tmp`);
      await writeFile(tmp, bytes, { mode: 0o600 });
      await rename(tmp, file(name));
    },
    async get(name) {
      return readFile(file(name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
    },
    async delete(name) {
      await rm(file(name), { force: true });
    },
  };
}
