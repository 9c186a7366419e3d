// `herald restore <file>`: a backup into a fresh data dir (and an empty database), checked whole before
// anything is put in place; never over existing data.
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HeraldConfig } from '../../config/schema.js';
import { openStore, sqliteFile, type Store } from '../../store/db.js';
import { unpackArchive } from './archive.js';
import { prepareRestoredDatabase, type AfterRestore } from './after-restore.js';
import { rowCounts, sqliteIntegrity, sqliteRowCounts } from './database-facts.js';
import { BackupError } from './errors.js';
import { DATA_FOLDER, type Manifest } from './manifest.js';
import { findTool, pgRestoreCommand, runPgRestore } from './pg-tools.js';

export interface RestoreReport {
  manifest: Manifest;
  dataDir: string;
  database: string;
  /** Rows per table now in the restored database. */
  rows: Record<string, number>;
  after: AfterRestore | null;
  notes: string[];
}

export async function restoreBackup(config: HeraldConfig, archive: string): Promise<RestoreReport> {
  const file = path.resolve(archive);
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  const { dataDir } = config;
  const dbFile = sqliteFile(config.databaseUrl, dataDir);
  await refuseExisting(dataDir, dbFile);
  await mkdir(path.dirname(dataDir), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(dataDir), '.herald-restore-'));
  try {
    const manifest = await unpackArchive(file, staging);
    const wanted = dbFile === null ? 'postgres' : 'sqlite';
    if (manifest.database.dialect !== wanted) {
      throw new BackupError(
        `this backup holds a ${manifest.database.dialect} database but DATABASE_URL points to ${wanted}: set DATABASE_URL to match it (nothing was restored)`,
      );
    }
    const restored =
      dbFile === null
        ? await restorePostgres(config.databaseUrl!, staging, manifest)
        : await restoreSqlite(dbFile, staging, manifest);
    await placeDataDir(path.join(staging, DATA_FOLDER), dataDir);
    return { manifest, dataDir, ...restored };
  } finally {
    // A refused archive may still be flushing files tar had started: retry until the folder is gone.
    await rm(staging, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  }
}

async function refuseExisting(dataDir: string, dbFile: string | null): Promise<void> {
  const refuse = (what: string) =>
    new BackupError(
      `${what}: restore goes into a fresh data dir and never overwrites anything. Point HERALD_DATA_DIR (and DATABASE_URL) at a new place, or move the old one away, then run herald restore again`,
    );
  if (existsSync(dataDir) && (await readdir(dataDir)).length > 0) throw refuse(`${dataDir} is not empty`);
  if (dbFile !== null && dbFile !== ':memory:' && existsSync(dbFile))
    throw refuse(`the database file ${dbFile} already exists`);
  if (dbFile === ':memory:')
    throw new BackupError(
      'DATABASE_URL is an in-memory database: nothing restored there would survive; use a file',
    );
}

type Restored = Omit<RestoreReport, 'manifest' | 'dataDir'>;

async function restoreSqlite(target: string, staging: string, manifest: Manifest): Promise<Restored> {
  const copy = path.join(staging, manifest.database.copy!);
  const integrity = sqliteIntegrity(copy);
  if (integrity !== 'ok')
    throw new BackupError(
      `the database in this backup is damaged (SQLite says: ${integrity}); nothing was restored`,
    );
  const rows = sqliteRowCounts(copy);
  refuseMissingRows(manifest, rows);
  const after = await withStore(`sqlite:${copy}`, staging, (store) =>
    prepareRestoredDatabase(store, manifest),
  );
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  await moveFile(copy, target);
  await chmod(target, 0o600);
  return { database: `SQLite ${target}`, rows, after, notes: [] };
}

async function restorePostgres(url: string, staging: string, manifest: Manifest): Promise<Restored> {
  const database = `PostgreSQL ${new URL(url).pathname.slice(1)}`;
  if (!manifest.database.copy) {
    return {
      database,
      rows: {},
      after: null,
      notes: [
        'this backup has no database dump (pg_dump was not installed when it was taken): restore the dump kept with it, e.g. `' +
          pgRestoreCommand('herald.pgdump') +
          '`, before starting Herald',
      ],
    };
  }
  const dump = path.join(staging, manifest.database.copy);
  if (!findTool('pg_restore')) {
    const kept = path.join(staging, DATA_FOLDER, 'herald.pgdump');
    await rename(dump, kept);
    return {
      database,
      rows: {},
      after: null,
      notes: [
        `pg_restore is not installed here: the dump is in the data dir as herald.pgdump; restore it with \`${pgRestoreCommand('herald.pgdump')}\` into an empty database, then start Herald`,
      ],
    };
  }
  return withStore(url, staging, async (store) => {
    const existing = await store.db.introspection.getTables();
    if (existing.length > 0)
      throw new BackupError(
        `the database ${database} is not empty (${existing.length} tables): restore into an empty database (nothing was restored)`,
      );
    await runPgRestore(url, dump);
    const rows = await rowCounts(store);
    refuseMissingRows(manifest, rows);
    return { database, rows, after: await prepareRestoredDatabase(store, manifest), notes: [] };
  });
}

/** The restored database must hold every row the backup counted. */
function refuseMissingRows(manifest: Manifest, rows: Record<string, number>): void {
  for (const [table, expected] of Object.entries(manifest.database.rows)) {
    if ((rows[table] ?? 0) !== expected)
      throw new BackupError(
        `the database in this backup does not hold what its manifest says (${table}: ${rows[table] ?? 0} rows, expected ${expected}); nothing was restored`,
      );
  }
}

async function withStore<T>(url: string, dataDir: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(url, dataDir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Moves the unpacked data into place: directories 0700, files 0600 (it holds secrets). */
async function placeDataDir(from: string, dataDir: string): Promise<void> {
  // The archive lists files only: a data dir that held none of them comes back empty.
  if (!existsSync(from)) await mkdir(from, { recursive: true });
  if (existsSync(dataDir)) {
    for (const entry of await readdir(from)) await rename(path.join(from, entry), path.join(dataDir, entry));
  } else {
    await rename(from, dataDir);
  }
  await restrictModes(dataDir);
}

async function restrictModes(target: string): Promise<void> {
  const info = await stat(target);
  if (!info.isDirectory()) return chmod(target, 0o600);
  await chmod(target, 0o700);
  for (const entry of await readdir(target)) await restrictModes(path.join(target, entry));
}

/** A rename, or a copy when the target is on another file system (DATABASE_URL=sqlite:/elsewhere/herald.db). */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
  }
}
