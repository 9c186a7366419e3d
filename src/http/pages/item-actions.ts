import type { FastifyInstance } from 'fastify';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { formatInZone, repeatedWallClock } from '../../domain/schedule.js';
import { cancelSchedule, requestPublish, retryFailedDelivery, withdraw } from '../../app/publishing.js';
import { DELIVERY_ID } from '../schemas.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { pageItemId } from './items.js';
import { safeNext } from './login.js';
import { redirectWith, runFormAction, type Flash } from './render.js';
import { needs } from '../route-access.js';
import { fieldLabel, plainProblem } from './field-problems.js';
import { showItem } from './item-page.js';
import { scheduledAt } from './schedule-choice.js';

/** A state conflict (e.g. cancelling what is no longer scheduled) is a message on the page, not an error page. */
export const conflictMessage = (error: unknown) => (error instanceof ConflictError ? error.message : null);

/** A refused publish or schedule as a message on the page (a state conflict, or the time's problems); other errors are rethrown. */
export function scheduleRefusal(deps: WebDeps, error: unknown): Flash {
  if (error instanceof ConflictError)
    return { kind: 'error', key: 'flash.conflict', params: { message: error.message } };
  if (!(error instanceof ValidationError)) throw error;
  const problems = Object.entries(error.fields).map(([field, problem]) =>
    plainProblem(deps.views, fieldLabel(deps.views, field === 'at' ? 'publishAt' : field, String), problem),
  );
  return { kind: 'error', key: 'flash.notScheduled', params: { problems: problems.join(' ') } };
}

/** Buttons on the item page and dashboard: publish now, (re)schedule, cancel, withdraw, retry. */
export function itemActionRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.post('/items/:id/publish', needs('review:write'), async (request, reply) => {
    const id = pageItemId(request.params);
    const form = (request.body ?? {}) as FormBody;
    const at = scheduledAt(form);
    const timezone = one(form, 'timezone').trim() || undefined;
    const back = `/items/${id}`;
    try {
      const outcome = await requestPublish(deps.ctx, id, {
        at: at || undefined,
        timezone,
        actor: request.actor,
      });
      const when =
        outcome.item.publishAt && outcome.item.publishTimezone
          ? formatInZone(outcome.item.publishAt, outcome.item.publishTimezone)
          : '';
      const key = outcome.scheduled
        ? 'flash.scheduled'
        : outcome.changed
          ? 'flash.published'
          : 'flash.alreadyPublished';
      return redirectWith(deps, request, reply, back, { kind: 'ok', key, params: { when } });
    } catch (error) {
      const zone = timezone ?? deps.ctx.config.timezone;
      if (error instanceof ValidationError && repeatedWallClock(at, zone)) {
        const problem = plainProblem(deps.views, deps.views.t('editor.publishAt'), error.fields.at ?? '');
        return showItem(deps, request, reply, id, { publishAt: at, timezone: zone, problem }, 400);
      }
      return redirectWith(deps, request, reply, back, scheduleRefusal(deps, error));
    }
  });

  app.post('/items/:id/cancel', needs('review:write'), async (request, reply) => {
    const id = pageItemId(request.params);
    return runFormAction(deps, request, reply, `/items/${id}`, conflictMessage, async () => {
      await cancelSchedule(deps.ctx, id, request.actor);
      return { kind: 'ok', key: 'flash.cancelled' };
    });
  });

  app.post('/items/:id/withdraw', needs('review:write'), async (request, reply) => {
    const id = pageItemId(request.params);
    const deletePosts = one((request.body ?? {}) as FormBody, 'deletePosts') === 'on';
    return runFormAction(deps, request, reply, `/items/${id}`, conflictMessage, async () => {
      await withdraw(deps.ctx, id, { deletePosts, actor: request.actor });
      return { kind: 'ok', key: deletePosts ? 'flash.withdrawnDeleted' : 'flash.withdrawn' };
    });
  });

  app.post('/deliveries/:id/retry', needs('review:write'), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!DELIVERY_ID.test(id)) throw new NotFoundError('delivery', id.slice(0, 80));
    const raw = one((request.body ?? {}) as FormBody, 'back');
    try {
      const delivery = await retryFailedDelivery(deps.ctx, id, request.actor);
      return redirectWith(
        deps,
        request,
        reply,
        raw ? safeNext(raw, deps.ctx.config.publicUrl) : `/items/${delivery.itemId}`,
        { kind: 'ok', key: 'flash.retried' },
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return redirectWith(deps, request, reply, raw ? safeNext(raw, deps.ctx.config.publicUrl) : '/', {
        kind: 'error',
        key: 'flash.conflict',
        params: { message: error.message },
      });
    }
  });
}
