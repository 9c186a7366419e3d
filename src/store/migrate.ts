import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Store } from './db.js';
import type { Database } from './schema.js';
import { coreMigration } from './migrations/001-core.js';
import { feedsMigration } from './migrations/002-feeds.js';
import { newslettersMigration } from './migrations/003-newsletters.js';
import { staffMigration } from './migrations/005-staff.js';
import { requestKeysMigration } from './migrations/006-request-keys.js';
import { dryRunPostsMigration } from './migrations/007-dry-run-posts-renames.js';
import { mailFeedbackMigration } from './migrations/008-mail-feedback.js';
import { calendarMigration } from './migrations/010-calendar.js';
import { subscribeMigration } from './migrations/011-subscribe.js';
import { mediaMigration } from './migrations/012-media.js';
import { remoteImagesMigration } from './migrations/015-remote-images.js';
import { staffLanguageMigration } from './migrations/017-staff-language.js';
import { reviewsMigration } from './migrations/018-reviews.js';
import { connectMigration } from './migrations/020-connect.js';
import { HeraldError } from '../domain/errors.js';

/**
 * Numbers are reserved per piece of work and may land out of order (006 after 010), so a database that
 * already has a later one still gets an earlier newcomer (allowUnorderedMigrations).
 *
 * Migrations only add (tables, columns, indexes), so that an older process can run on a newer schema
 * during a rolling upgrade. One that renames or drops says so: its name ends in RENAMES_SUFFIX, which an
 * older version (not knowing the migration) reads in the database and refuses to run on.
 */
export const RENAMES_SUFFIX = '-renames';

/** Every migration, in order. Names sort lexically; never rename or edit one that has shipped. */
export function allMigrations(store: Store): Record<string, Migration> {
  return {
    '001-core': coreMigration(store.dialect),
    '002-feeds': feedsMigration(store.dialect),
    '003-newsletters': newslettersMigration(store.dialect),
    '005-staff': staffMigration(store.dialect),
    '006-request-keys': requestKeysMigration(store.dialect),
    '007-dry-run-posts-renames': dryRunPostsMigration(store.dialect),
    '008-mail-feedback': mailFeedbackMigration(store.dialect),
    '010-calendar': calendarMigration(store.dialect),
    '011-subscribe': subscribeMigration(store.dialect),
    '012-media': mediaMigration(store.dialect),
    '015-remote-images': remoteImagesMigration(store.dialect),
    '017-staff-language': staffLanguageMigration(store.dialect),
    '018-reviews': reviewsMigration(store.dialect),
    '020-connect': connectMigration(store.dialect),
  };
}

export class MigrationError extends HeraldError {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(`database migration ${migration ?? ''} failed: ${(cause as Error)?.message ?? String(cause)}`, {
      code: 'migration_failed',
      cause,
    });
  }
}

/**
 * Brings the schema up to date; safe to run from several processes starting at once. On PostgreSQL the
 * migrator takes a lock. On SQLite kysely has no lock and no transaction around DDL, so the whole run holds
 * the database's write lock (BEGIN IMMEDIATE): the others wait, then find the work done.
 */
export async function migrateToLatest(
  store: Store,
  options: { onNewerSchema?: (unknown: string[]) => void } = {},
): Promise<string[]> {
  const migrations = allMigrations(store);
  // A failed migration throws, so that on SQLite the transaction rolls back what it had done.
  const run = async (db: Kysely<Database>) => {
    const unknown = (await executedMigrations(db)).filter((name) => !(name in migrations));
    if (unknown.length > 0) return newerSchema(db, migrations, unknown, options.onNewerSchema);
    return succeeded(
      await new Migrator({
        db,
        provider: { getMigrations: async () => migrations },
        allowUnorderedMigrations: true,
      }).migrateToLatest(),
    );
  };
  return store.dialect === 'sqlite' ? store.transaction(run) : run(store.db);
}

async function executedMigrations(db: Kysely<Database>): Promise<string[]> {
  try {
    return (await sql<{ name: string }>`select name from kysely_migration`.execute(db)).rows.map(
      (r) => r.name,
    );
  } catch {
    return []; // a new database: no migration table yet
  }
}

/**
 * A newer Herald migrated this database (a rolling upgrade is under way): this older process runs on the
 * newer schema, since migrations only add, as long as it has every migration it knows itself and none of
 * the newer ones renames (those need a stop-and-replace upgrade).
 */
async function newerSchema(
  db: Kysely<Database>,
  migrations: Record<string, Migration>,
  unknown: string[],
  notify?: (unknown: string[]) => void,
): Promise<string[]> {
  const executed = new Set(await executedMigrations(db));
  const missing = Object.keys(migrations).filter((name) => !executed.has(name));
  if (missing.length > 0)
    throw new MigrationError(
      missing[0],
      new Error(
        `the database has migrations this version does not know (${unknown.join(', ')}) but lacks ${missing.join(', ')}: it was migrated by another line of Herald versions`,
      ),
    );
  const renaming = unknown.filter((name) => name.endsWith(RENAMES_SUFFIX));
  if (renaming.length > 0)
    throw new MigrationError(
      renaming[0],
      new Error(
        `a newer Herald renamed tables (${renaming.join(', ')}) and this version cannot run on that schema: stop every process of this version and run the newer one (this upgrade is stop-and-replace, not rolling)`,
      ),
    );
  notify?.(unknown);
  return [];
}

/** Migrations this version has that the database has not applied yet, in order (nothing is changed). */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const migrations = allMigrations(store);
  const known = await new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
  }).getMigrations();
  return known.filter((m) => !m.executedAt).map((m) => m.name);
}

function succeeded(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, result.error);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
