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
      await ctx.close();
      await redis.stop?.();
      log.info('stopped');
    })());
  installSignalHandlers(stop, log);
  return { ctx, server, workers, url, stop };
}

function installSignalHandlers(stop: () => Promise<void>, log: Logger): void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
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
}

export { createLogger };
