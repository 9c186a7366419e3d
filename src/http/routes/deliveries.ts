import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { NotFoundError } from '../../domain/errors.js';
import { retryFailedDelivery } from '../../app/publishing.js';
import { findOutboxPost, listOutboxPosts } from '../../store/outbox.js';
import { listAccounts } from '../../store/accounts.js';
import { presentDelivery } from '../present.js';
import { DELIVERY_ID, emptyBody } from '../schemas.js';
import { needs } from '../route-access.js';

export function deliveryRoutes(app: FastifyInstance, ctx: Context): void {
  app.post('/api/deliveries/:id/retry', needs('review:write'), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!DELIVERY_ID.test(id)) throw new NotFoundError('delivery', id.slice(0, 80));
    emptyBody.parse(request.body);
    const delivery = await retryFailedDelivery(ctx, id, request.actor);
    return reply.code(202).send(presentDelivery(delivery));
  });

  app.get('/api/channels', needs('channels:read'), async () => ({ accounts: await listAccounts(ctx.store.db) }));

  // What the dry-run channels would have posted.
  app.get('/api/outbox', needs('review:read'), async () => ({ posts: await listOutboxPosts(ctx.store.db, 100) }));
  app.get('/api/outbox/:id', needs('review:read'), async (request) => {
    const id = (request.params as { id: string }).id;
    const post = /^out_[0-9a-f]{32}$/.test(id) ? await findOutboxPost(ctx.store.db, id) : null;
    if (!post) throw new NotFoundError('outbox post', id.slice(0, 80));
    return post;
  });
}
