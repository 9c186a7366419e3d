import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The data dir holds password hashes, contacts, recipients' tokens and secrets. Every file Herald creates
 * is private to its user (umask 077: files 0600, folders 0700), and at start the data dir and the files
 * that exist from before are made so too.
 */
export const PRIVATE_UMASK = 0o077;

/** Files in the data dir that hold secrets or personal data (the database with its journal files, keys). */
export const PRIVATE_FILES = [
  'herald.db',
  'herald.db-wal',
  'herald.db-shm',
  'herald.db-journal',
  'api-token',
  'session-secret',
  'newsletter-token-key',
];

/** Called first by every Herald process (src/main.ts). */
export function usePrivateUmask(): void {
  process.umask(PRIVATE_UMASK);
}

/**
 * Creates the data dir 0700, or restricts it, and restricts the secret-bearing files already in it to 0600.
 * A file this user may not change (another owner) does not stop Herald: it is returned, to be logged.
 */
export function securePrivateFiles(dataDir: string, sqliteFile: string | null): string[] {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const files = PRIVATE_FILES.map((name) => path.join(dataDir, name));
  if (sqliteFile && sqliteFile !== ':memory:')
    files.push(sqliteFile, `${sqliteFile}-wal`, `${sqliteFile}-shm`, `${sqliteFile}-journal`);
  const unchanged: string[] = [];
  const restrict = (file: string, mode: number) => {
    try {
      chmodSync(file, mode);
    } catch {
      unchanged.push(file);
    }
  };
  restrict(dataDir, 0o700);
  for (const file of new Set(files)) if (existsSync(file)) restrict(file, 0o600);
  return unchanged;
}
