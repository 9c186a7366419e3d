import type { FastifyInstance } from 'fastify';
import { listAccounts } from '../../store/accounts.js';
import { listDeliveriesForItem } from '../../store/deliveries.js';
import { needs } from '../route-access.js';
import type { WebDeps } from './deps.js';
import { pageItemId } from './items.js';
import { pageData } from './render.js';
import { accountNames, deliveryView } from './view-models.js';
import { markHeld } from './held.js';

/** The item page's deliveries as its table shows them (newest first). */
export async function itemDeliveryViews(deps: WebDeps, id: string) {
  const db = deps.ctx.store.db;
  const [deliveries, accounts] = await Promise.all([listDeliveriesForItem(db, id), listAccounts(db)]);
  const names = accountNames(accounts);
  const lines = [...deliveries].reverse().map((d) => deliveryView(deps.views, names, d));
  return markHeld(deps.views, accounts, lines);
}

/** The item page's live part, re-fetched by live.js like the dashboard's (one mechanism for both). */
export function itemLiveRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/items/:id/live', needs('items:read'), async (request, reply) => {
    const id = pageItemId(request.params);
    const data = { deliveries: await itemDeliveryViews(deps, id), back: `/items/${id}` };
    const html = deps.views.fragment(
      'item-deliveries',
      pageData(deps, request, reply, data, { flash: false }),
    );
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  });
}
