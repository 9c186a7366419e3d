import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Context } from '../app/context.js';
import { apiAuth } from './staff-auth.js';
import { installWebSupport, queueBoard, webPages } from './pages/index.js';
import { securityHeaders } from './pages/headers.js';
import { draftRoutes } from './routes/drafts.js';
import { installErrorHandler } from './errors.js';
import { openApiDocument } from './openapi.js';
import { itemRoutes } from './routes/items.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { previewRoutes } from './routes/preview.js';
import { healthRoutes } from './routes/health.js';
import { feedRoutes } from './routes/feeds.js';
import { publishHookRoutes } from './routes/hooks.js';
import { sourceRoutes } from './routes/sources.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { memberRoutes } from './routes/members.js';
import { newsletterRoutes } from './routes/newsletters.js';
import { metricsRoute, timeRequests } from './routes/metrics.js';

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
  timeRequests(app, ctx.metrics);

  healthRoutes(app, ctx);
  if (ctx.config.metrics.token) metricsRoute(app, ctx.metrics, ctx.config.metrics.token); // its own bearer token
  app.get('/api/openapi.json', async () => openApiDocument(ctx.config.publicUrl));
  feedRoutes(app, ctx); // public: the feeds
  unsubscribeRoutes(app, ctx); // public: newsletter unsubscribe, preferences and web-version links (signed tokens)
  await app.register(async (hooks) => publishHookRoutes(hooks, ctx)); // signed, not token-protected

  const web = await installWebSupport(app, ctx);
  await app.register(async (api) => {
    api.addHook('onRequest', securityHeaders(null));
    api.addHook('onRequest', apiAuth(options.apiToken, web.sessions));
    itemRoutes(api, ctx);
    deliveryRoutes(api, ctx);
    sourceRoutes(api, ctx);
    previewRoutes(api, ctx);
    draftRoutes(api, ctx);
    memberRoutes(api, ctx);
    newsletterRoutes(api, ctx);
  });
  await app.register(webPages(web));
  await app.register(queueBoard(web));
  return app;
}
