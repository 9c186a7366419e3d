import { loadConfig } from '../../src/config/load.js';
import { createContext, type Context, type ContextOptions } from '../../src/app/context.js';
import { createLogger } from '../../src/log.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import type { QueueName } from '../../src/queues/names.js';
import { createTestDatabase, type DialectUnderTest, type TestDatabase } from './databases.js';
import { TEST_REDIS, deletePrefix, uniquePrefix } from './redis.js';
import { waitReady } from '../../src/redis/connection.js';

export interface TestApp {
  ctx: Context;
  db: TestDatabase;
  prefix: string;
  workers?: RunningWorkers;
  startWorkers(names?: QueueName[]): RunningWorkers;
  /** Environment for a child process (`herald worker`) that joins this app. */
  childEnv(): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * Private addresses are allowed (allowPrivateUrls: the fakes listen on 127.0.0.1); a test of the refusal
 * passes `allowPrivateUrls: false`. `options` reach createContext (e.g. resolveImageHost).
 */
export async function startTestApp(
  dialect: DialectUnderTest,
  overrides: Record<string, unknown> = {},
  options: Pick<ContextOptions, 'resolveImageHost' | 'log'> = {},
): Promise<TestApp> {
  const db = await createTestDatabase(dialect);
  const prefix = uniquePrefix(dialect);
  const config = loadConfig({
    env: {},
    cwd: db.dataDir,
    overrides: {
      dataDir: db.dataDir,
      databaseUrl: db.url,
      queuePrefix: prefix,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      apiToken: 'test-token-0123456789abcdef',
      publicUrl: 'http://herald.test',
      allowPrivateUrls: true,
      ...overrides,
      delivery: {
        backoffMs: 100,
        lockMs: 5_000,
        reconcileEveryMs: 60_000,
        ...((overrides.delivery as object) ?? {}),
      },
    },
  });
  const ctx = await createContext(config, {
    redis: TEST_REDIS,
    log: createLogger(config.logLevel),
    ...options,
  });
  await waitReady(ctx.queues.connection); // publishing refuses (503) while the queue connection is not up yet
  const running: RunningWorkers[] = [];
  const app: TestApp = {
    ctx,
    db,
    prefix,
    startWorkers(names) {
      const w = startWorkers(ctx, names);
      running.push(w);
      app.workers = w;
      return w;
    },
    childEnv() {
      return {
        ...process.env,
        DATABASE_URL: db.url,
        HERALD_DATA_DIR: db.dataDir,
        REDIS_URL: (TEST_REDIS as { url: string }).url,
        HERALD_QUEUE_PREFIX: prefix,
        HERALD_PUBLIC_URL: 'http://herald.test',
        HERALD_ALLOW_PRIVATE_URLS: String(config.allowPrivateUrls),
        HERALD_LOCK_MS: String(config.delivery.lockMs),
        HERALD_DELIVERY_BACKOFF_MS: String(config.delivery.backoffMs),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        HERALD_CONFIG: '',
      };
    },
    async close() {
      await Promise.all(running.map((w) => w.close(5_000)));
      await ctx.close();
      await deletePrefix(prefix);
      await db.drop();
    },
  };
  return app;
}

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
  );
}

export const sampleItem = (n = 1, extra: Record<string, unknown> = {}) => ({
  title: `Conference report ${n}: cities and climate`,
  summary: 'What 130 member cities agreed in Lyon.',
  body: '## Highlights\n\nMayors signed the **declaration**.',
  url: `https://example.org/news/report-${n}`,
  tags: ['climate', 'cities'],
  language: 'en',
  ...extra,
});
