import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import type { HeraldConfig } from '../config/schema.js';
import { createContext, type Context } from '../app/context.js';
import { createLogger } from '../log.js';
import { resolveRedis } from '../redis/server.js';
import { describeRedis } from '../redis/connection.js';
import type { QueueName } from '../queues/names.js';
import { resolveApiToken } from '../http/api-token.js';
import { buildServer } from '../http/server.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { startMetricsServer } from '../http/metrics-server.js';
import { startupLines } from '../ops/startup.js';
import { checkDeferredModulesInBackground } from '../ops/deferred-modules.js';
import { SQLITE_SHARING_FIX, sqliteSharingMessage } from '../ops/sqlite-sharing.js';
import { sqliteFile } from '../store/db.js';
import { announceSqliteWriter, type SqliteWriterAnnouncement } from '../store/sqlite-writers.js';

export interface RunOptions {
  api: boolean;
  /** Queues to work on; empty = none. */
  queues: QueueName[];
  /** May start a private redis-server when none is reachable (`herald start`). */
  spawnRedis: boolean;
  config?: HeraldConfig;
}

export interface RunningHerald {
  ctx: Context;
  server?: FastifyInstance;
  workers?: RunningWorkers;
  url?: string;
  stop(): Promise<void>;
}

/** Starts the API and/or workers in this process, with graceful shutdown on SIGINT/SIGTERM. */
export async function run(options: RunOptions): Promise<RunningHerald> {
  const startedAt = performance.now();
  const config = options.config ?? loadConfig();
  const log = createLogger(config.logLevel, { format: config.logFormat });
  const redis = await resolveRedis(config.redisUrl, config.dataDir, log, {
    spawnAllowed: options.spawnRedis,
  });
  const ctx = await createContext(config, { redis: redis.target, log });
  log.debug(
    {
      database: ctx.store.describe(),
      redis: describeRedis(redis.target),
      accounts: ctx.channels.accounts().map((a) => `${a.id} (${a.platform}, ${a.mode})`),
    },
    'herald context ready',
  );

  const writer = announceWorkerProcess(ctx, options.queues, log);
  const workers = options.queues.length > 0 ? startWorkers(ctx, options.queues) : undefined;
  let server: FastifyInstance | undefined;
  let url: string | undefined;
  let apiTokenFile: string | null = null;
  if (options.api) {
    const token = resolveApiToken(config.apiToken, config.dataDir);
    if (token.created)
      log.warn(
        { file: token.file },
        'no HERALD_API_TOKEN set: generated an API token and saved it in this file',
      );
    apiTokenFile = token.file;
    server = await buildServer(ctx, { apiToken: token.token });
    url = await server.listen({ port: config.port, host: config.host });
  }
  const metricsServer = config.metrics.port
    ? await startMetricsServer(ctx.metrics, config.metrics.port, config.metrics.token)
    : undefined;
  const metricsUrl =
    metricsServer?.url ?? (server && config.metrics.token ? `${url}/metrics (bearer token)` : undefined);
  for (const line of await startupLines(ctx, { url, queues: options.queues, apiTokenFile, metricsUrl }))
    log.info(line.fields, line.msg);
  if (!options.api && config.metrics.token && !metricsServer)
    log.warn(
      'HERALD_METRICS_TOKEN is set but this worker process serves no metrics: give it a HERALD_METRICS_PORT',
    );
  log.info({ url, queues: options.queues, ms: Math.round(performance.now() - startedAt) }, 'herald started');
  checkDeferredModulesInBackground(log);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down: no new jobs or requests; finishing running ones');
      await server?.close();
      await metricsServer?.close();
      await workers?.close(30_000);
      writer?.withdraw();
      await ctx.close();
      await redis.stop?.();
      log.info('stopped');
    })());
  installSignalHandlers(stop, log);
  return { ctx, server, workers, url, stop };
}

/** On SQLite, announces this worker process on the file and warns while others share it (see sqlite-writers.ts). */
function announceWorkerProcess(
  ctx: Context,
  queues: readonly QueueName[],
  log: Logger,
): SqliteWriterAnnouncement | undefined {
  const file = sqliteFile(ctx.config.databaseUrl, ctx.config.dataDir);
  if (queues.length === 0 || file === null || file === ':memory:') return undefined;
  return announceSqliteWriter(file, queues, (_newcomers, others) =>
    log.warn(
      { database: file, otherPids: others.map((w) => w.pid), fix: SQLITE_SHARING_FIX },
      sqliteSharingMessage(file, others, true),
    ),
  );
}

/** A signal sent to the launcher's whole group (systemd's default) reaches this process twice at once: one stop. */
const SAME_SIGNAL_MS = 1_000;

function installSignalHandlers(stop: () => Promise<void>, log: Logger): void {
  let signals = 0;
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first?.signal === signal && Date.now() - first.at < SAME_SIGNAL_MS) return;
    first ??= { signal, at: Date.now() };
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        log.error({ err: error.message }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Started by the launcher (src/cli/launcher.ts): its channel closes when it dies, and so do we.
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => onSignal('SIGTERM'));
  }
}

export { createLogger };
