import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, sql } from 'kysely';
import type Pg from 'pg';
import { lazyRequire } from '../lazy-module.js';
import type { Database } from './schema.js';
import { attachRunner, type StatementRunner } from './prepared.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Runs `fn` in a write transaction (SQLite: BEGIN IMMEDIATE, so concurrent writers queue instead of failing). */
  transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives, for messages (never includes a password). */
  describe(): string;
}

/** `DATABASE_URL` unset -> SQLite file in the data dir; `postgres://` -> PostgreSQL; `sqlite:<path>` -> that file. */
export function openStore(databaseUrl: string | undefined, dataDir: string): Store {
  const file = sqliteFile(databaseUrl, dataDir);
  return file === null ? openPostgres(databaseUrl!) : openSqlite(file);
}

/** The SQLite file `DATABASE_URL` (or its absence) names, or null for PostgreSQL. */
export function sqliteFile(databaseUrl: string | undefined, dataDir: string): string | null {
  if (databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl)) return null;
  const file = databaseUrl?.startsWith('sqlite:')
    ? databaseUrl.slice('sqlite:'.length)
    : path.join(dataDir, 'herald.db');
  return file === ':memory:' ? file : path.resolve(file);
}

function openSqlite(file: string): Store {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // No blocking wait inside SQLite (it would freeze the event loop, and every job with it): a busy
  // database is retried asynchronously instead (see retryWhileBusy).
  database.pragma('busy_timeout = 0');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  const driver = new SqliteDriver({
    database: withStatementCache(database),
    onCreateConnection: async (connection) => {
      const execute = connection.executeQuery.bind(connection);
      connection.executeQuery = (query) => retryWhileBusy(() => execute(query));
    },
  });
  const db = new Kysely<Database>({
    // kysely's own dialect, with a driver this store keeps a hand on (see sqliteRunner).
    dialect: new (class extends SqliteDialect {
      override createDriver() {
        return driver;
      }
    })({ database }),
    plugins: [new CamelCasePlugin()],
  });
  attachRunner(db, sqliteRunner(database, driver));
  return {
    db,
    dialect: 'sqlite',
    transaction: (fn) =>
      db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          await sql`rollback`.execute(conn);
          throw error;
        }
      }),
    close: () => db.destroy(),
    describe: () => `SQLite ${file}`,
  };
}

const BUSY_GIVE_UP_MS = 15_000;
let busyRetries = 0;

/** Statements this process tried again because another process held SQLite's write lock (a metric). */
export const sqliteBusyRetries = (): number => busyRetries;

/** Another process holds SQLite's write lock for a few microseconds: try again shortly, without blocking. */
async function retryWhileBusy<T>(run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const busy = (error as { code?: string }).code?.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() - started > BUSY_GIVE_UP_MS) throw error;
      busyRetries++;
      const pause = attempt < 3 ? 0 : Math.random() * Math.min(20, 2 ** (attempt - 3));
      await new Promise((resolve) => (pause === 0 ? setImmediate(resolve) : setTimeout(resolve, pause)));
    }
  }
}

/**
 * Kysely prepares every query anew; preparing is a good part of a small query's cost in SQLite.
 * Queries are built from a fixed set of shapes, so caching statements by SQL text stays small.
 */
function withStatementCache(database: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let statement = cache.get(source);
        if (!statement) {
          statement = prepare(source);
          if (cache.size > 500) cache.clear();
          cache.set(source, statement);
        }
        return statement;
      };
    },
  });
}

/**
 * Hot statements on SQLite's one connection, prepared once each. They wait for the connection like kysely's
 * queries do (the driver's lock): a statement run while a transaction holds it would join that transaction.
 */
function sqliteRunner(database: SQLite.Database, driver: SqliteDriver): StatementRunner {
  const prepared = new Map<string, SQLite.Statement>();
  return {
    dialect: 'sqlite',
    async run({ sql: text }, parameters) {
      let statement = prepared.get(text);
      if (!statement) {
        statement = database.prepare(text);
        prepared.set(text, statement);
      }
      const ready = statement;
      await driver.acquireConnection();
      try {
        return await retryWhileBusy(async () =>
          ready.reader
            ? { rows: ready.all(parameters) as Array<Record<string, unknown>>, changes: 0 }
            : { rows: [], changes: ready.run(parameters).changes },
        );
      } finally {
        await driver.releaseConnection();
      }
    },
  };
}

/** Hot statements on PostgreSQL as named statements: each connection parses and plans one once, then binds it. */
function postgresRunner(pool: Pg.Pool): StatementRunner {
  return {
    dialect: 'postgres',
    async run({ sql: text, name }, parameters) {
      const result = await pool.query({ name, text, values: [...parameters] });
      return { rows: result.rows as Array<Record<string, unknown>>, changes: result.rowCount ?? 0 };
    },
  };
}

/** pg on first use: a SQLite install never loads it. */
const loadPg = lazyRequire<typeof Pg>('pg');

function openPostgres(url: string): Store {
  const pg = loadPg();
  // int8 (count(*), bigserial) as a JS number: our counts and ids stay far below 2^53.
  pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {
    // An idle client lost its connection (e.g. PostgreSQL restarted); the pool replaces it on next use.
  });
  // A client in use that loses its connection also emits 'error' (besides failing its query): without a
  // listener that would crash the process. The failed query reports it; the broken client is discarded.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin()],
  });
  attachRunner(db, postgresRunner(pool));
  return {
    db,
    dialect: 'postgres',
    transaction: (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
    describe: () => `PostgreSQL ${redactUrl(url)}`,
  };
}

/** A URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** PostgreSQL error classes 08 (connection exception) and 57P (operator intervention: shutdown, restart). */
const PG_UNAVAILABLE = /^(08|57P)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when a query failed because the database could not be reached or was busy for too long (a restart,
 * a lost connection, SQLite locked by another process) rather than because of the query itself.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (
    code.startsWith('SQLITE_BUSY') ||
    code.startsWith('SQLITE_LOCKED') ||
    NETWORK_CODES.has(code) ||
    PG_UNAVAILABLE.test(code)
  )
    return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}
