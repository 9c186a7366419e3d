// `herald doctor`: one line per check, with what to do about anything wrong. Reads only: nothing is
// migrated, marked or started.
import { Resolver } from 'node:dns/promises';
import type { Redis } from 'ioredis';
import { ConfigError, loadConfig, type LoadOptions } from '../../config/load.js';
import { resolveAccounts } from '../../config/accounts.js';
import type { HeraldConfig } from '../../config/schema.js';
import { createContext } from '../../app/context.js';
import { createLogger } from '../../log.js';
import { createRedis, describeRedis, type RedisTarget } from '../../redis/connection.js';
import { resolveRedis } from '../../redis/server.js';
import { openStore, type Store } from '../../store/db.js';
import { pendingMigrations } from '../../store/migrate.js';
import { checkDeferredModules, DEFERRED_MODULES } from '../deferred-modules.js';
import { checkChannels } from './channel-checks.js';
import { checkDkim, checkDmarc, checkSmtp, checkSpf } from './mail-checks.js';
import { checkClock, checkRedis } from './redis-checks.js';
import { fail, guarded, ok, skip, warn, type CheckResult } from './result.js';
import { checkDataDir, checkDatabase, checkSqliteWriters, type DiskSpace } from './storage-checks.js';

export interface DoctorOptions extends LoadOptions {
  /** DNS servers to ask (`1.1.1.1`, `127.0.0.1:5353`); default: the system's. */
  dnsServers?: string[];
  /** The clock compared with Redis's (tests skew it). */
  now?: () => number;
  /** How free space is measured (tests fill a disk). */
  diskSpace?: DiskSpace;
}

export async function runDoctor(options: DoctorOptions = {}): Promise<CheckResult[]> {
  const now = options.now ?? Date.now;
  let config: HeraldConfig;
  try {
    config = loadConfig(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [
      ...error.problems.map((p) => fail('configuration', p, 'fix this setting (README, Configuration)')),
      skip('everything else', 'needs a valid configuration'),
    ];
  }
  const results: CheckResult[] = await guarded('configuration', async () =>
    configResults(config, options.cwd),
  );
  results.push(...(await guarded('packages', packageResults, 120_000)));
  const dns = new Resolver({ timeout: 3_000, tries: 2 });
  if (options.dnsServers?.length) dns.setServers(options.dnsServers);
  const redis = await connectRedis(config, results);
  const store = openStore(config.databaseUrl, config.dataDir);
  try {
    if (redis)
      results.push(
        ...(await guarded('redis', () => checkRedis(redis.client, redis.where))),
        ...(await guarded('clock', () => checkClock(redis.client, now))),
      );
    else results.push(skip('clock', 'needs Redis'));
    const database = await guarded('database', () => checkDatabase(store));
    results.push(
      ...database,
      ...(await guarded('data dir', () => checkDataDir(config.dataDir, options.diskSpace))),
      ...(await guarded('worker processes', async () =>
        checkSqliteWriters(config.databaseUrl, config.dataDir),
      )),
    );
    results.push(
      ...(await guarded('channels', () => channelResults(config, store, redis, database, now), 30_000)),
    );
    const mail: Array<[string, () => Promise<CheckResult>]> = [
      ['smtp', () => checkSmtp(config)],
      ['dkim', () => checkDkim(config, dns)],
      ['spf', () => checkSpf(config, dns)],
      ['dmarc', () => checkDmarc(config, dns)],
    ];
    for (const [name, check] of mail) results.push(...(await guarded(name, check)));
  } finally {
    redis?.client.disconnect();
    await store.close();
  }
  return results;
}

function configResults(config: HeraldConfig, cwd: string | undefined): CheckResult[] {
  const { notes } = resolveAccounts(config, cwd);
  const results = [ok('configuration', 'valid')];
  for (const note of notes) results.push(warn('configuration', note, 'see docs/social.md'));
  const host = new URL(config.publicUrl).hostname;
  if (config.publicUrl.startsWith('http:') && host !== 'localhost' && host !== '127.0.0.1') {
    results.push(
      warn(
        'configuration',
        `HERALD_PUBLIC_URL is ${config.publicUrl}: feed, unsubscribe and sign-in links go over plain http`,
        'serve Herald over https (a reverse proxy) and set HERALD_PUBLIC_URL to the https address',
      ),
    );
  }
  return results;
}

/** Every package Herald loads on first use (not at start) loads on this machine. */
async function packageResults(): Promise<CheckResult[]> {
  const failures = await checkDeferredModules();
  if (failures.length === 0)
    return [ok('packages', `the ${DEFERRED_MODULES.length} packages loaded on first use all load`)];
  return failures.map(({ module, error }) =>
    fail('packages', `${module} cannot be loaded: ${error}`, "reinstall Herald's dependencies (npm ci)"),
  );
}

interface RedisConnection {
  client: Redis;
  target: RedisTarget;
  where: string;
}

async function connectRedis(config: HeraldConfig, results: CheckResult[]): Promise<RedisConnection | null> {
  try {
    const { target } = await resolveRedis(config.redisUrl, config.dataDir, createLogger('silent'), {
      spawnAllowed: false,
    });
    const client = createRedis(target, 'queue', {
      lazyConnect: true,
      retryStrategy: () => null,
      connectTimeout: 3_000,
      enableOfflineQueue: true,
    });
    client.on('error', () => undefined);
    await client.connect();
    return { client, target, where: describeRedis(target) };
  } catch (error) {
    results.push(
      fail(
        'redis',
        `not reachable: ${(error as Error).message.split('\n')[0]}`,
        'start Redis, or set REDIS_URL to where it runs',
      ),
    );
    return null;
  }
}

/** Channel checks use Herald's own adapters (so a renewed OAuth token is saved as usual), on a current schema. */
async function channelResults(
  config: HeraldConfig,
  store: Store,
  redis: RedisConnection | null,
  database: CheckResult[],
  now: () => number,
): Promise<CheckResult[]> {
  if (database.some((r) => r.status === 'error')) return [skip('channels', 'need the database')];
  if ((await pendingMigrations(store)).length > 0)
    return [skip('channels', 'need a current schema: run `herald migrate` first')];
  // Without Redis an OAuth token renewal cannot take its lock and the check says so.
  const ctx = await createContext(config, {
    redis: redis?.target ?? { url: 'redis://127.0.0.1:6379' },
    log: createLogger('silent'),
    migrate: false,
  });
  try {
    return await checkChannels(ctx, now);
  } finally {
    await ctx.close();
  }
}

const MARK: Record<CheckResult['status'], string> = {
  ok: 'ok   ',
  warn: 'WARN ',
  error: 'ERROR',
  skip: 'skip ',
};

/** The human-readable report: one line per check, what to do under anything not ok, a count at the end. */
export function formatDoctor(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  const lines = results.flatMap((r) => [
    `${MARK[r.status]}  ${r.check.padEnd(width)}  ${r.message}`,
    ...(r.fix ? [`${' '.repeat(width + 9)}-> ${r.fix}`] : []),
  ]);
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  lines.push(
    '',
    `${count('ok')} ok, ${count('warn')} warning(s), ${count('error')} error(s), ${count('skip')} skipped`,
  );
  return lines.join('\n');
}
