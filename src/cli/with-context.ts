import type { Context } from '../app/context.js';
import { loadConfig } from '../config/load.js';
import { openStore, type Store } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { oneShotContext } from './run.js';

/** Runs a one-shot command with a whole context (database, Redis when reachable), closed afterwards. */
export async function withContext<T>(fn: (ctx: Context) => Promise<T>): Promise<T> {
  const ctx = await oneShotContext();
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Runs a command that needs only the database (migrated first unless `migrate: false`), closed afterwards. */
export async function withStore<T>(
  fn: (store: Store) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  const store = openStore(config.databaseUrl, config.dataDir);
  try {
    if (options.migrate ?? true) await migrateToLatest(store);
    return await fn(store);
  } finally {
    await store.close();
  }
}
