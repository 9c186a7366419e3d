import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { NotFoundError } from '../../domain/errors.js';
import { retryFailedDelivery } from '../../app/publishing.js';
import { findDryRunPost, listDryRunPosts } from '../../store/dry-run-posts.js';
import { listAccounts } from '../../store/accounts.js';
import { presentDelivery } from '../present.js';
import { DELIVERY_ID, DRY_RUN_POST_ID, emptyBody } from '../schemas.js';
import { needs } from '../route-access.js';
import { xSpendSummary } from './x-spend.js';

export function deliveryRoutes(app: FastifyInstance, ctx: Context): void {
  app.post('/api/deliveries/:id/retry', needs('review:write'), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!DELIVERY_ID.test(id)) throw new NotFoundError('delivery', id.slice(0, 80));
    emptyBody.parse(request.body);
    const delivery = await retryFailedDelivery(ctx, id, request.actor);
    return reply.code(202).send(presentDelivery(delivery));
  });

  app.get('/api/channels', needs('channels:read'), async () => ({
    accounts: await listAccounts(ctx.store.db),
    xSpend: await xSpendSummary(ctx, new Date()),
  }));

  // What the dry-run accounts would have posted. /api/outbox is the old name, kept for one release.
  for (const base of ['/api/dry-run-posts', '/api/outbox']) {
    app.get(base, needs('review:read'), async () => ({ posts: await listDryRunPosts(ctx.store.db, 100) }));
    app.get(`${base}/:id`, needs('review:read'), async (request) => {
      const id = (request.params as { id: string }).id;
      const post = DRY_RUN_POST_ID.test(id) ? await findDryRunPost(ctx.store.db, id) : null;
      if (!post) throw new NotFoundError('dry-run post', id.slice(0, 80));
      return post;
    });
  }
}
