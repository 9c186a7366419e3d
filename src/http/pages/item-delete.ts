import type { FastifyInstance } from 'fastify';
import { deleteItem } from '../../app/items.js';
import { ConflictError } from '../../domain/errors.js';
import { getItem } from '../../store/items.js';
import { needs } from '../route-access.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { pageItemId } from './items.js';
import { redirectWith } from './render.js';

/** "Delete" on the item page: only with the box ticked, and only what the API may delete (deleteItem decides). */
export function itemDeleteRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.post('/items/:id/delete', needs('items:write'), async (request, reply) => {
    const id = pageItemId(request.params);
    const back = `/items/${id}`;
    if (one((request.body ?? {}) as FormBody, 'confirm') !== 'on') {
      return redirectWith(deps, request, reply, back, { kind: 'error', key: 'item.deleteConfirmMissing' });
    }
    const { title } = await getItem(deps.ctx.store.db, id);
    try {
      await deleteItem(deps.ctx.store, id, request.actor);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return redirectWith(deps, request, reply, back, {
        kind: 'error',
        key: 'flash.conflict',
        params: { message: error.message },
      });
    }
    return redirectWith(deps, request, reply, '/items', {
      kind: 'ok',
      key: 'flash.deleted',
      params: { title },
    });
  });
}
