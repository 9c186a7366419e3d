import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { Store } from '../../store/db.js';

/** Migrations the database has applied (kysely's own table), in order. */
export async function appliedMigrations(store: Store): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`
    .execute(store.db)
    .catch(() => ({ rows: [] }));
  return rows.rows.map((r) => r.name);
}

/** Rows per Herald table (kysely's bookkeeping tables left out). */
export async function rowCounts(store: Store): Promise<Record<string, number>> {
  const tables = (await store.db.introspection.getTables())
    .map((t) => t.name)
    .filter((name) => !name.startsWith('kysely_'));
  const counts: Record<string, number> = {};
  for (const table of tables.sort()) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
      store.db,
    );
    counts[table] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

/** The same counts read from a SQLite file directly (the backup's copy, or a restored file). */
export function sqliteRowCounts(file: string): Record<string, number> {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name",
      )
      .all() as Array<{ name: string }>;
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        (db.prepare(`select count(*) as n from "${name.replace(/"/g, '""')}"`).get() as { n: number }).n,
      ]),
    );
  } finally {
    db.close();
  }
}

/** SQLite's own check of a file: "ok", or what is wrong. */
export function sqliteIntegrity(file: string): string {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).join('; ');
  } catch (error) {
    return (error as Error).message;
  } finally {
    db.close();
  }
}
