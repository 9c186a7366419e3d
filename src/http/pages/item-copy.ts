import type { FastifyInstance } from 'fastify';
import { copyItem } from '../../app/copy-item.js';
import { NotFoundError } from '../../domain/errors.js';
import { needs } from '../route-access.js';
import type { WebDeps } from './deps.js';
import { redirectWith } from './render.js';

const ITEM_ID = /^itm_[0-9a-f]{32}$/;

/** "Copy as new draft" on the item page: the copy opens in the editor. */
export function itemCopyRoute(app: FastifyInstance, deps: WebDeps): void {
  app.post('/items/:id/copy', needs('items:write'), async (request, reply) => {
    const id = String((request.params as { id?: unknown }).id ?? '');
    if (!ITEM_ID.test(id)) throw new NotFoundError('item', id.slice(0, 80));
    const copy = await copyItem(deps.ctx.store, id, request.actor, {
      allowPrivateUrls: deps.ctx.config.allowPrivateUrls,
    });
    return redirectWith(deps, request, reply, `/items/${copy.id}/edit`, {
      kind: 'ok',
      key: 'flash.copied',
      params: { title: copy.title },
    });
  });
}
