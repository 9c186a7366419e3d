import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';

export type DialectUnderTest = 'sqlite' | 'postgres';

/** An admin connection to a PostgreSQL server where tests may create databases. */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 1_500 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return `PostgreSQL not reachable at ${PG_ADMIN_URL.replace(/:[^:@/]+@/, ':***@')}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why PostgreSQL tests are skipped, or null when they run. */
export const postgresSkipReason: string | null = await probePostgres();
if (postgresSkipReason) console.warn(`[tests] skipping PostgreSQL variants: ${postgresSkipReason}`);

/** The databases every store test runs against: SQLite always, PostgreSQL when reachable. */
export const DIALECTS: Array<{ dialect: DialectUnderTest; skip: boolean }> = [
  { dialect: 'sqlite', skip: false },
  { dialect: 'postgres', skip: postgresSkipReason !== null },
];

export interface TestDatabase {
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database (SQLite file or PostgreSQL database) and data dir for one test file. */
export async function createTestDatabase(dialect: DialectUnderTest): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'herald-test-'));
  const cleanupDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite')
    return { url: `sqlite:${path.join(dataDir, 'herald.db')}`, dataDir, drop: async () => cleanupDir() };
  const name = `herald_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      cleanupDir();
    },
  };
}

/**
 * A migrated store on a fresh database for each test of the calling describe block: `use` receives both
 * before each test; both are closed and dropped after it.
 */
export function migratedStoreEachTest(
  dialect: DialectUnderTest,
  use: (store: Store, database: TestDatabase) => void,
): void {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    store = openStore(database.url, database.dataDir);
    await migrateToLatest(store);
    use(store, database);
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });
}
