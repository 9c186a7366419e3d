import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { describeSources } from '../../ingest/source-status.js';
import { feedOverview } from '../../feed/feed-overview.js';
import { needs } from '../route-access.js';

/** Website feeds Herald imports, their last poll and error; the feeds Herald publishes. Behind the API token. */
export function sourceRoutes(app: FastifyInstance, ctx: Context): void {
  app.get('/api/sources', needs('channels:read'), async () => ({
    sources: await describeSources(ctx.store.db, ctx.config.feed.sources),
  }));
  app.get('/api/feeds', needs('items:read'), async () => feedOverview(ctx));
}
