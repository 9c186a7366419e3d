import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { createItem, deleteItem, editItem } from '../../app/items.js';
import { cancelSchedule, requestPublish, withdraw } from '../../app/publishing.js';
import { getItem, listItems } from '../../store/items.js';
import { listDeliveriesForItem } from '../../store/deliveries.js';
import { listAudit } from '../../store/audit.js';
import { presentDelivery, presentItem, presentLookalikes } from '../present.js';
import { recentLookalikes } from '../../store/lookalikes.js';
import { emptyBody, ITEM_ID, listItemsQuery, pathId, publishBody, withdrawBody } from '../schemas.js';
import { needs } from '../route-access.js';
import { refuseAnnounceUnlessAllowed } from '../authorize.js';
import { reviewOf } from './review.js';

const itemId = (params: unknown): string => pathId(params, ITEM_ID, 'item');

async function itemWithDeliveries(ctx: Context, id: string) {
  const [item, deliveries, history, review] = await Promise.all([
    getItem(ctx.store.db, id),
    listDeliveriesForItem(ctx.store.db, id),
    listAudit(ctx.store.db, 'item', id),
    reviewOf(ctx, id),
  ]);
  return { ...presentItem(item), deliveries: deliveries.map(presentDelivery), history, review };
}

export function itemRoutes(app: FastifyInstance, ctx: Context): void {
  app.post('/api/items', needs('items:write', 'submissions:write'), async (request, reply) => {
    const item = await createItem(ctx.store, request.body, request.actor, {
      allowPrivateUrls: ctx.config.allowPrivateUrls,
    });
    return reply.code(201).header('location', `/api/items/${item.id}`).send(presentItem(item));
  });

  app.get('/api/items', needs('items:read', 'submissions:read'), async (request) => {
    const q = listItemsQuery.parse(request.query);
    const { items, total } = await listItems(ctx.store.db, {
      ...q,
      author: request.ownItemsOnly ? request.actor : undefined,
    });
    return { items: items.map(presentItem), total, limit: q.limit, offset: q.offset };
  });

  app.get('/api/items/:id', needs('items:read', 'submissions:read'), async (request) =>
    itemWithDeliveries(ctx, itemId(request.params)),
  );

  app.patch('/api/items/:id', needs('items:write', 'submissions:write'), async (request) => {
    const { item, changed } = await editItem(ctx.store, itemId(request.params), request.body, request.actor, {
      allowPrivateUrls: ctx.config.allowPrivateUrls,
    });
    return { ...presentItem(item), changed };
  });

  app.delete('/api/items/:id', needs('items:write'), async (request, reply) => {
    await deleteItem(ctx.store, itemId(request.params), request.actor);
    return reply.code(204).send();
  });

  app.post('/api/items/:id/publish', needs('review:write'), async (request, reply) => {
    const id = itemId(request.params);
    const body = publishBody.parse(request.body) ?? {};
    refuseAnnounceUnlessAllowed(request, body.announce);
    const outcome = await requestPublish(ctx, id, { ...body, actor: request.actor });
    return reply.code(outcome.changed ? 202 : 200).send({
      ...(await itemWithDeliveries(ctx, id)),
      changed: outcome.changed,
      scheduled: outcome.scheduled,
      warnings: presentLookalikes(await recentLookalikes(ctx.store.db, outcome.item)),
    });
  });

  app.post('/api/items/:id/cancel', needs('review:write'), async (request) => {
    const id = itemId(request.params);
    emptyBody.parse(request.body);
    await cancelSchedule(ctx, id, request.actor);
    return itemWithDeliveries(ctx, id);
  });

  app.post('/api/items/:id/withdraw', needs('review:write'), async (request, reply) => {
    const id = itemId(request.params);
    const body = withdrawBody.parse(request.body) ?? {};
    await withdraw(ctx, id, { deletePosts: body.deletePosts ?? false, actor: request.actor });
    return reply.code(202).send(await itemWithDeliveries(ctx, id));
  });
}
