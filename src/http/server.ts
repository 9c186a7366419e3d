import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Context } from '../app/context.js';
import { apiRefusals, authorize } from './authorize.js';
import { pageRefusals } from './pages/access.js';
import { declareRoutes, onSurface } from './route-access.js';
import { installWebSupport, queueBoard, webPages } from './pages/index.js';
import { securityHeaders } from './pages/headers.js';
import { draftRoutes } from './routes/drafts.js';
import { installErrorHandler } from './errors.js';
import { idempotencyKeys } from './idempotency-key.js';
import { openApiDocument } from './openapi.js';
import { itemRoutes } from './routes/items.js';
import { reviewRoutes } from './routes/review.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { holdRoutes } from './routes/holds.js';
import { previewRoutes } from './routes/preview.js';
import { healthRoutes } from './routes/health.js';
import { feedRoutes } from './routes/feeds.js';
import { publishHookRoutes } from './routes/hooks.js';
import { mailHookRoutes } from './routes/mail-hooks.js';
import { sourceRoutes } from './routes/sources.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { subscribeRoutes } from './routes/subscribe.js';
import { calendarFeedRoutes } from './routes/calendar-feed.js';
import { memberRoutes } from './routes/members.js';
import { newsletterRoutes } from './routes/newsletters.js';
import { metricsRoute, timeRequests } from './routes/metrics.js';
import { needs } from './route-access.js';
import { findReview } from '../store/reviews.js';
import { mediaFileRoutes, mediaRoutes } from './routes/media.js';

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
  declareRoutes(app); // first: it must see every route
  installErrorHandler(app);
  // The API speaks JSON; other bodies get 415 instead of reaching handlers as strings.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('actor', 'anonymous');
  timeRequests(app, ctx.metrics);
  const web = await installWebSupport(app, ctx);
  app.decorateRequest('principal', null);
  app.decorateRequest('ownItemsOnly', false);
  app.addHook(
    'onRequest',
    authorize({
      apiToken: options.apiToken,
      sessions: web.sessions,
      refusals: { api: apiRefusals(options.apiToken), page: pageRefusals(web) },
      ownsItem: async (actor, itemId) => (await findReview(ctx.store.db, itemId)).author === actor,
    }),
  );

  healthRoutes(app, ctx);
  if (ctx.config.metrics.token) metricsRoute(app, ctx.metrics, ctx.config.metrics.token); // its own bearer token
  app.get('/api/openapi.json', needs('public'), async () => openApiDocument(ctx.config.publicUrl));
  feedRoutes(app, ctx); // public: the feeds
  unsubscribeRoutes(app, ctx); // public: newsletter unsubscribe, preferences and web-version links (signed tokens)
  subscribeRoutes(app, ctx); // public: the subscription form (double opt-in) and its confirmation links
  calendarFeedRoutes(app, ctx); // public: staff calendar feeds (secret per-person addresses)
  mediaFileRoutes(app, ctx); // public: uploaded pictures by content hash
  await app.register(async (hooks) => publishHookRoutes(hooks, ctx)); // signed, not token-protected
  await app.register(async (hooks) => mailHookRoutes(hooks, ctx)); // each provider authenticated its own way

  await app.register(async (api) => {
    onSurface(api, 'api');
    api.addHook('onRequest', securityHeaders(null));
    idempotencyKeys(api, ctx.store);
    itemRoutes(api, ctx);
    reviewRoutes(api, ctx);
    deliveryRoutes(api, ctx);
    holdRoutes(api, ctx);
    sourceRoutes(api, ctx);
    previewRoutes(api, ctx, web.pageReader);
    draftRoutes(api, ctx, web.pageReader);
    memberRoutes(api, ctx);
    newsletterRoutes(api, ctx);
    await api.register(async (uploads) => mediaRoutes(uploads, ctx)); // its own scope: multipart parsing
  });
  await app.register(webPages(web));
  await app.register(queueBoard(web));
  return app;
}
