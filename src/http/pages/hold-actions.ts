import type { FastifyInstance } from 'fastify';
import { releaseHeldAccount, releaseHeldPost } from '../../app/account-hold.js';
import { NotFoundError } from '../../domain/errors.js';
import { DELIVERY_ID, pathId } from '../schemas.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { safeNext } from './login.js';
import { runFormAction } from './render.js';
import { needs } from '../route-access.js';
import { conflictMessage } from './item-actions.js';

/** The "Try again" button of an account on hold (Channels page) and "Send anyway" of a post over budget. */
export function holdActionRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.post('/channels/:id/try-again', needs('channels:write'), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!deps.ctx.channels.has(id)) throw new NotFoundError('account', id.slice(0, 80));
    return runFormAction(deps, request, reply, '/channels', conflictMessage, async () => {
      const count = await releaseHeldAccount(deps.ctx, id, request.actor);
      return { kind: 'ok', key: 'channels.triedAgain', params: { count } };
    });
  });

  app.post('/deliveries/:id/release', needs('review:write'), async (request, reply) => {
    const id = pathId(request.params, DELIVERY_ID, 'delivery');
    const raw = one((request.body ?? {}) as FormBody, 'back');
    const back = raw ? safeNext(raw, deps.ctx.config.publicUrl) : '/';
    return runFormAction(deps, request, reply, back, conflictMessage, async () => {
      await releaseHeldPost(deps.ctx, id, request.actor);
      return { kind: 'ok', key: 'flash.heldPostReleased' };
    });
  });
}
