import type { FastifyInstance, FastifyRequest } from 'fastify';
import { savePublishPlan } from '../../app/publish-plan.js';
import { NotFoundError } from '../../domain/errors.js';
import { getItem } from '../../store/items.js';
import { searchItems } from '../../store/web-queries.js';
import { requestMay } from '../authorize.js';
import { needs } from '../route-access.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { redirectWith } from './render.js';

// A newsletter carries published items only. A scheduled item is announced the way the editor's
// "Also announce it in the newsletter" does it: its plan says so, and when the item is published its
// `newsletter` delivery sends the announcement (src/newsletter/announce.ts), once.

const ITEM_ID = /^itm_[0-9a-f]{32}$/;

/** The scheduled items, soonest first, each with whether it will be announced. */
export async function scheduledForAnnouncement(deps: WebDeps, request: FastifyRequest) {
  if (!requestMay(request, 'items:write')) return [];
  const { items } = await searchItems(deps.ctx.store.db, { status: 'scheduled', limit: 30, offset: 0 });
  return items
    .sort((a, b) => (a.publishAt ?? '').localeCompare(b.publishAt ?? ''))
    .map((i) => ({ id: i.id, title: i.title, publishAt: i.publishAt, announce: i.announce }));
}

export function announceScheduledRoute(app: FastifyInstance, deps: WebDeps): void {
  app.post('/newsletters/announce-item', needs('items:write'), async (request, reply) => {
    const form = (request.body ?? {}) as FormBody;
    const id = one(form, 'itemId');
    if (!ITEM_ID.test(id)) throw new NotFoundError('item', id.slice(0, 80));
    const announce = one(form, 'announce') === 'yes';
    const item = await getItem(deps.ctx.store.db, id);
    if (item.status !== 'scheduled')
      return redirectWith(deps, request, reply, '/newsletters', {
        kind: 'error',
        key: 'newsletters.announceNotScheduled',
        params: { title: item.title },
      });
    await savePublishPlan(deps.ctx, id, { channels: item.publishChannels, announce }, request.actor);
    return redirectWith(deps, request, reply, '/newsletters#scheduled', {
      kind: 'ok',
      key: announce ? 'newsletters.announceOn' : 'newsletters.announceOff',
      params: { title: item.title },
    });
  });
}
