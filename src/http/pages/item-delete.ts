import type { FastifyInstance } from 'fastify';
import { deleteItem } from '../../app/items.js';
import { getItem } from '../../store/items.js';
import { needs } from '../route-access.js';
import type { WebDeps } from './deps.js';
import { conflictMessage } from './item-actions.js';
import { one, type FormBody } from './item-form.js';
import { pageItemId } from './items.js';
import { redirectWith, runFormAction } from './render.js';

/** "Delete" on the item page: only with the box ticked, and only what the API may delete (deleteItem decides). */
export function itemDeleteRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.post('/items/:id/delete', needs('items:write'), async (request, reply) => {
    const id = pageItemId(request.params);
    const back = `/items/${id}`;
    if (one((request.body ?? {}) as FormBody, 'confirm') !== 'on') {
      return redirectWith(deps, request, reply, back, { kind: 'error', key: 'item.deleteConfirmMissing' });
    }
    const { title } = await getItem(deps.ctx.store.db, id);
    return runFormAction(
      deps,
      request,
      reply,
      back,
      conflictMessage,
      async () => {
        await deleteItem(deps.ctx.store, id, request.actor);
        return { kind: 'ok', key: 'flash.deleted', params: { title } };
      },
      '/items',
    );
  });
}
