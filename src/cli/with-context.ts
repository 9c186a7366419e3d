import { createContext, type Context } from '../app/context.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { resolveRedis } from '../redis/server.js';
import { openStore, type Store } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';

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

/** A context for one-shot CLI commands: Redis when reachable (jobs are repaired later otherwise). */
async function oneShotContext(): Promise<Context> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, {
    format: config.logFormat,
  });
  let target;
  try {
    target = (await resolveRedis(config.redisUrl, config.dataDir, log, { spawnAllowed: false })).target;
  } catch {
    target = { url: 'redis://127.0.0.1:6379' };
    log.warn('Redis is not reachable: changes are saved, and jobs are queued when Herald runs again');
  }
  return createContext(config, { redis: target, log });
}
