import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HeraldMetrics } from '../../ops/metrics/metrics.js';
import { tokenMatches } from '../auth.js';
import { sendError } from '../errors.js';
import { needs } from '../route-access.js';

/**
 * `GET /metrics` in the Prometheus text format. With a token, only a scrape that presents it
 * (`Authorization: Bearer <HERALD_METRICS_TOKEN>`) gets an answer; without one the route is only
 * registered on the loopback metrics port.
 */
export function metricsRoute(app: FastifyInstance, metrics: HeraldMetrics, token: string | undefined): void {
  app.get('/metrics', needs('metrics-token'), async (request, reply) => {
    if (token && !presentsToken(request, token)) {
      reply.header('www-authenticate', 'Bearer realm="herald-metrics"');
      return sendError(
        reply,
        401,
        'unauthorized',
        'send the metrics token as "Authorization: Bearer <HERALD_METRICS_TOKEN>"',
      );
    }
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
}

function presentsToken(request: FastifyRequest, token: string): boolean {
  const match = request.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match ? tokenMatches(match[1]!, token) : false;
}

/** Times every request by its route pattern (`/api/items/:id`); requests no route matched count as `unmatched`. */
export function timeRequests(app: FastifyInstance, metrics: HeraldMetrics): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    metrics.httpRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1_000,
    );
  });
}
