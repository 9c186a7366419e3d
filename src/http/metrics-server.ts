import Fastify, { type FastifyInstance } from 'fastify';
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
  const url = await app.listen({ port, host: '127.0.0.1' });
  return { url: `${url}/metrics`, close: () => app.close() };
}
