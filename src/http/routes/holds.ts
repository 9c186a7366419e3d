import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { releaseHeldAccount, releaseHeldPost } from '../../app/account-hold.js';
import { NotFoundError } from '../../domain/errors.js';
import { presentDelivery } from '../present.js';
import { DELIVERY_ID, emptyBody, pathId } from '../schemas.js';
import { needs } from '../route-access.js';

/** Releasing held deliveries: an account on hold tries again; one post held by the X budget goes out. */
export function holdRoutes(app: FastifyInstance, ctx: Context): void {
  app.post('/api/channels/:id/try-again', needs('channels:write'), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!ctx.channels.has(id)) throw new NotFoundError('account', id.slice(0, 80));
    emptyBody.parse(request.body);
    const released = await releaseHeldAccount(ctx, id, request.actor);
    return reply.code(202).send({ account: id, released });
  });

  app.post('/api/deliveries/:id/release', needs('review:write'), async (request, reply) => {
    const id = pathId(request.params, DELIVERY_ID, 'delivery');
    emptyBody.parse(request.body);
    return reply.code(202).send(presentDelivery(await releaseHeldPost(ctx, id, request.actor)));
  });
}
