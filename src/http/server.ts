import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { bearerAuth } from './auth.js';
import { installErrorHandler } from './errors.js';
import { openApiDocument } from './openapi.js';
import { itemRoutes } from './routes/items.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { healthRoutes } from './routes/health.js';

export interface ServerOptions {
  apiToken: string;
  /** Largest request body accepted (bytes); an item's body alone may be 100 kB. */
  bodyLimit?: number;
}

/** The HTTP side: API under /api (bearer token), health, public routes. */
export async function buildServer(ctx: Context, options: ServerOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: true,
  });
  installErrorHandler(app);
  // The API speaks JSON; other bodies get 415 instead of reaching handlers as strings.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('actor', 'anonymous');

  healthRoutes(app, ctx);
  app.get('/api/openapi.json', async () => openApiDocument(ctx.config.publicUrl));

  await app.register(async (api) => {
    api.addHook('onRequest', bearerAuth(options.apiToken));
    itemRoutes(api, ctx);
    deliveryRoutes(api, ctx);
  });
  return app;
}
