import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Store } from './db.js';
import type { Database } from './schema.js';
import { coreMigration } from './migrations/001-core.js';
import { feedsMigration } from './migrations/002-feeds.js';
import { newslettersMigration } from './migrations/003-newsletters.js';
import { staffMigration } from './migrations/005-staff.js';

/** Every migration, in order. Names sort lexically; never rename or edit one that has shipped. */
export function allMigrations(store: Store): Record<string, Migration> {
  return {
    '001-core': coreMigration(store.dialect),
    '002-feeds': feedsMigration(store.dialect),
    '003-newsletters': newslettersMigration(store.dialect),
    '005-staff': staffMigration(store.dialect),
  };
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(`database migration ${migration ?? ''} failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'MigrationError';
  }
}

/**
 * Brings the schema up to date; safe to run from several processes starting at once. On PostgreSQL the
 * migrator takes a lock. On SQLite kysely has no lock and no transaction around DDL, so the whole run holds
 * the database's write lock (BEGIN IMMEDIATE): the others wait, then find the work done.
 */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrations = allMigrations(store);
  // A failed migration throws, so that on SQLite the transaction rolls back what it had done.
  const run = async (db: Kysely<Database>) => succeeded(await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest());
  return store.dialect === 'sqlite' ? store.transaction(run) : run(store.db);
}

/** Migrations this version has that the database has not applied yet, in order (nothing is changed). */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const migrations = allMigrations(store);
  const known = await new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } }).getMigrations();
  return known.filter((m) => !m.executedAt).map((m) => m.name);
}

function succeeded(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, result.error);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
