import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * Where uploaded files live. Names are content hashes with their extension (`<sha256>.<ext>`), so a file
 * never changes once written: put is idempotent and readers may cache forever.
 */
export interface MediaStore {
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
  return {
    async put(name, bytes) {
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
    async has(name) {
      return stat(file(name)).then(
        () => true,
        () => false,
      );
    },
    async delete(name) {
      await rm(file(name), { force: true });
    },
  };
}
