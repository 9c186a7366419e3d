// `herald backup <file.tar.gz>`: a consistent copy of a running installation. SQLite through its online
// backup API (a snapshot, while workers keep writing), PostgreSQL through pg_dump when it is installed;
// the data dir's feeds, media and generated secrets beside it.
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { HeraldConfig } from '../../config/schema.js';
import { sqliteFile, type Store } from '../../store/db.js';
import { heraldVersion } from '../version.js';
import { packArchive } from './archive.js';
import { BackupError } from './errors.js';
import { appliedMigrations, rowCounts, sqliteRowCounts } from './database-facts.js';
import {
  DATA_FOLDER,
  MANIFEST_FILE,
  PG_DUMP,
  SQLITE_COPY,
  describeFiles,
  listFiles,
  type Manifest,
} from './manifest.js';
import { findTool, runPgDump, pgDumpCommand } from './pg-tools.js';

/** What of the data dir goes into a backup: published feeds, media, and the secrets Herald generated there. */
export const DATA_ENTRIES = [
  'feeds',
  'media',
  'api-token',
  'session-secret',
  'newsletter-token-key',
] as const;

export interface BackupReport {
  file: string;
  manifest: Manifest;
  /** Plain-words notes for the operator (the secrets warning, how to dump PostgreSQL by hand). */
  notes: string[];
}

export interface BackupOptions {
  /** Replace an existing file (scheduled backups use new names; a person must ask). */
  overwrite?: boolean;
}

export async function createBackup(
  deps: { config: HeraldConfig; store: Store },
  target: string,
  options: BackupOptions = {},
): Promise<BackupReport> {
  const file = path.resolve(target);
  if (!/\.(tar\.gz|tgz)$/.test(file))
    throw new BackupError(`the backup file must end in .tar.gz (got ${target})`);
  if (existsSync(file) && !options.overwrite)
    throw new BackupError(`${file} already exists; choose a new name (nothing was written)`);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const staging = await mkdtemp(path.join(path.dirname(file), '.herald-backup-'));
  try {
    const notes: string[] = [];
    const database = await copyDatabase(deps, staging, notes);
    await copyDataEntries(deps.config.dataDir, path.join(staging, DATA_FOLDER));
    const files = await listFiles(staging);
    const manifest: Manifest = {
      format: 1,
      herald: heraldVersion(),
      createdAt: new Date().toISOString(),
      database,
      files: await describeFiles(staging, files),
    };
    await writeFile(path.join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2), { mode: 0o600 });
    await packArchive(staging, file);
    notes.unshift(
      `${file} holds secrets (the generated API token and signing keys, and the platform tokens stored in the database, encrypted with HERALD_SECRET_KEY, which is not in it): keep it where only operators can read it, and keep HERALD_SECRET_KEY and the configuration safely elsewhere`,
    );
    return { file, manifest, notes };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function copyDatabase(
  deps: { config: HeraldConfig; store: Store },
  staging: string,
  notes: string[],
): Promise<Manifest['database']> {
  await mkdir(path.join(staging, 'database'), { mode: 0o700 });
  const migrations = await appliedMigrations(deps.store);
  const source = sqliteFile(deps.config.databaseUrl, deps.config.dataDir);
  if (source !== null) {
    if (source === ':memory:')
      throw new BackupError(
        'the database is in memory (DATABASE_URL=sqlite::memory:): there is nothing on disk to back up',
      );
    const copy = path.join(staging, SQLITE_COPY);
    const live = new SQLite(source, { readonly: true, fileMustExist: true });
    try {
      // Page by page, online: writers go on; the copy is one consistent snapshot.
      await live.backup(copy);
    } finally {
      live.close();
    }
    return { dialect: 'sqlite', copy: SQLITE_COPY, migrations, rows: sqliteRowCounts(copy) };
  }
  const rows = await rowCounts(deps.store);
  const url = deps.config.databaseUrl!;
  if (findTool('pg_dump')) {
    await runPgDump(url, path.join(staging, PG_DUMP));
    return { dialect: 'postgres', copy: PG_DUMP, migrations, rows };
  }
  notes.push(
    `pg_dump is not installed here, so the PostgreSQL database is not in this archive: dump it with \`${pgDumpCommand()}\` (pg_dump from the PostgreSQL client tools, e.g. apt-get install postgresql-client) and keep the dump with this file`,
  );
  return { dialect: 'postgres', copy: null, migrations, rows };
}

async function copyDataEntries(dataDir: string, into: string): Promise<void> {
  await mkdir(into, { mode: 0o700 });
  for (const name of DATA_ENTRIES) {
    const from = path.join(dataDir, name);
    if (!existsSync(from)) continue;
    if (!(await stat(from)).isDirectory()) await copyFile(from, path.join(into, name));
    else
      for (const file of await listFiles(from))
        await copyLiveFile(path.join(from, file), path.join(into, name, file));
  }
}

/**
 * Feed files are written to a hidden temporary file and renamed over the old one while the backup runs: each
 * copied file is a whole old or a whole new version. Temporary files are left out, and one that a rebuild
 * removed between listing and copying is simply not there.
 */
async function copyLiveFile(from: string, to: string): Promise<void> {
  if (/^\..*\.tmp$/.test(path.basename(from))) return;
  await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  await copyFile(from, to).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
