import Fastify, { type FastifyInstance } from 'fastify';
import { ConfigError } from '../config/load.js';
import type { HeraldMetrics } from '../ops/metrics/metrics.js';
import { installErrorHandler } from './errors.js';
import { metricsRoute } from './routes/metrics.js';

/**
 * The metrics port (HERALD_METRICS_PORT): a listener on 127.0.0.1 that serves only `/metrics`, in any
 * process, API or worker. Loopback only: Prometheus scrapes it on the same machine (or through a tunnel).
 */
export async function startMetricsServer(
  metrics: HeraldMetrics,
  port: number,
  token: string | undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const app: FastifyInstance = Fastify({ logger: false });
  installErrorHandler(app);
  metricsRoute(app, metrics, token);
  const url = await app.listen({ port, host: '127.0.0.1' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new ConfigError([
      `HERALD_METRICS_PORT (metrics.port): 127.0.0.1:${port} is already in use (another Herald process on this machine?); give each process its own port`,
    ]);
  });
  return { url: `${url}/metrics`, close: () => app.close() };
}
