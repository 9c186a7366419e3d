import { constants } from 'node:fs';
import { access, stat, statfs } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { sqliteFile, type Store } from '../../store/db.js';
import { otherSqliteWriters } from '../../store/sqlite-writers.js';
import { SQLITE_SHARING_FIX, sqliteSharingMessage } from '../sqlite-sharing.js';
import { pendingMigrations } from '../../store/migrate.js';
import { fail, ok, warn, type CheckResult } from './result.js';

const MiB = 1024 * 1024;

export async function checkDatabase(store: Store): Promise<CheckResult[]> {
  await sql`select 1`.execute(store.db);
  const results = [ok('database', `${store.describe()} answers`)];
  const pending = await pendingMigrations(store);
  results.push(
    pending.length === 0
      ? ok('migrations', 'the schema is current')
      : warn(
          'migrations',
          `${pending.length} migration(s) not applied yet: ${pending.join(', ')}`,
          'run `herald migrate` (Herald also applies them when it starts)',
        ),
  );
  return results;
}

/** Generated secrets in the data dir; they must be readable by Herald's user only. */
const SECRET_FILES = ['api-token', 'session-secret', 'newsletter-token-key'];

export async function checkDataDir(dataDir: string, space: DiskSpace = diskSpace): Promise<CheckResult[]> {
  if (!existsSync(dataDir))
    return [
      warn(
        'data dir',
        `${dataDir} does not exist yet`,
        'it is created at the first start; or create it now: mkdir -m 700 ' + dataDir,
      ),
    ];
  const info = await stat(dataDir);
  const results: CheckResult[] = [];
  const writable = await access(dataDir, constants.W_OK).then(
    () => true,
    () => false,
  );
  if (!writable)
    results.push(
      fail(
        'data dir',
        `${dataDir} is not writable by this user`,
        `chown it to the user Herald runs as (chown -R herald ${dataDir})`,
      ),
    );
  else if (info.mode & 0o077)
    results.push(
      warn(
        'data dir',
        `${dataDir} can be read by other users (mode ${(info.mode & 0o777).toString(8)}); it holds the database and secrets`,
        `chmod 700 ${dataDir}`,
      ),
    );
  else
    results.push(
      ok('data dir', `${dataDir} is private to its owner (mode ${(info.mode & 0o777).toString(8)})`),
    );
  for (const name of SECRET_FILES) {
    const file = path.join(dataDir, name);
    if (existsSync(file) && (await stat(file)).mode & 0o077)
      results.push(warn('data dir', `${file} can be read by other users`, `chmod 600 ${file}`));
  }
  results.push(await freeSpace(dataDir, space));
  return results;
}

/** Bytes available to Herald's user and the disk's size. */
export type DiskSpace = (dir: string) => Promise<{ available: number; total: number }>;

export const diskSpace: DiskSpace = async (dir) => {
  const fs = await statfs(dir);
  return { available: fs.bavail * fs.bsize, total: fs.blocks * fs.bsize };
};

async function freeSpace(dataDir: string, space: DiskSpace): Promise<CheckResult> {
  const { available: free, total } = await space(dataDir);
  const share = total ? free / total : 1;
  const text = `${(free / MiB / 1024).toFixed(1)} GiB free (${Math.round(share * 100)} %) on the data dir's disk`;
  const fix = 'free some space or grow the disk: SQLite, feeds and backups need room to write';
  if (free < 100 * MiB) return fail('free space', text, fix);
  if (free < 1024 * MiB || share < 0.05) return warn('free space', text, fix);
  return ok('free space', text);
}

/** On SQLite: how many worker processes write to the file now (one is right, see src/store/sqlite-writers.ts). */
export function checkSqliteWriters(databaseUrl: string | undefined, dataDir: string): CheckResult {
  const file = sqliteFile(databaseUrl, dataDir);
  if (file === null || file === ':memory:')
    return ok('worker processes', 'PostgreSQL: any number of worker processes');
  const writers = otherSqliteWriters(file);
  if (writers.length === 0) return ok('worker processes', `none running on ${file}`);
  if (writers.length === 1) return ok('worker processes', `one on ${file} (pid ${writers[0]!.pid})`);
  return warn('worker processes', sqliteSharingMessage(file, writers, false), SQLITE_SHARING_FIX);
}
