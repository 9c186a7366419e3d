import type { FastifyInstance } from 'fastify';
import { ConflictError, HeraldError, ValidationError } from '../../domain/errors.js';
import type { ItemReview } from '../../domain/review.js';
import type { ItemStatus } from '../../domain/item.js';
import { approveAndPublish, decideReview, submitForReview } from '../../app/review.js';
import { listItems } from '../../store/items.js';
import { findReview, listReviewQueue } from '../../store/reviews.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { pageItemId } from './items.js';
import { runFormAction, sendPage } from './render.js';
import { needs } from '../route-access.js';

// The review loop in the pages: the queue for reviewers, a contributor's own submissions, and the
// review panel's forms on the item page.

/** A refusal shown on the page: a state conflict, the four-eyes rule, a missing comment. */
function reviewRefusal(error: unknown): string | null {
  if (error instanceof ValidationError) return Object.values(error.fields).join(' ');
  if (error instanceof ConflictError || (error instanceof HeraldError && error.code === 'own_item'))
    return error.message;
  return null;
}

/** What the item page shows of the review, and which of its forms apply. */
export async function reviewPanel(deps: WebDeps, itemId: string, status: ItemStatus) {
  const review: ItemReview = await findReview(deps.ctx.store.db, itemId);
  return {
    state: review.state,
    stateLabel: deps.views.t(`review.state.${review.state}`),
    submittedBy: review.submittedBy,
    proposedAt: review.proposedAt,
    canSubmit:
      (review.state === 'draft' || review.state === 'changes_requested') &&
      status !== 'published' &&
      status !== 'scheduled',
    canDecide: review.state === 'in_review',
  };
}

function ageText(deps: WebDeps, since: string | null, now: number): string {
  const minutes = since ? Math.max(0, Math.floor((now - Date.parse(since)) / 60_000)) : 0;
  if (minutes < 60) return deps.views.t('review.age.minutes', { n: minutes });
  if (minutes < 48 * 60) return deps.views.t('review.age.hours', { n: Math.floor(minutes / 60) });
  return deps.views.t('review.age.days', { n: Math.floor(minutes / 1440) });
}

export function reviewPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/review', needs('review:read'), async (request, reply) => {
    const now = Date.now();
    const queue = await listReviewQueue(deps.ctx.store.db);
    return sendPage(deps, request, reply, 'review', {
      title: deps.views.t('review.title'),
      items: queue.map((entry) => ({ ...entry, age: ageText(deps, entry.submittedAt, now) })),
    });
  });

  app.get('/submissions', needs('submissions:read'), async (request, reply) => {
    const { items } = await listItems(deps.ctx.store.db, { author: request.actor, limit: 100, offset: 0 });
    const rows = await Promise.all(
      items.map(async (item) => {
        const review = await findReview(deps.ctx.store.db, item.id);
        return {
          title: item.title,
          updatedAt: item.updatedAt,
          status: deps.views.t(`item.status.${item.status}`),
          review: deps.views.t(`review.state.${review.state}`),
        };
      }),
    );
    return sendPage(deps, request, reply, 'submissions', {
      title: deps.views.t('submissions.title'),
      items: rows,
    });
  });

  app.post('/items/:id/submit', needs('items:write'), async (request, reply) => {
    const id = pageItemId(request.params);
    return runFormAction(deps, request, reply, `/items/${id}`, reviewRefusal, async () => {
      await submitForReview(deps.ctx, id, { actor: request.actor });
      return { kind: 'ok', key: 'review.flash.submitted' };
    });
  });

  app.post('/items/:id/approve', needs('review:write'), async (request, reply) => {
    const id = pageItemId(request.params);
    const form = (request.body ?? {}) as FormBody;
    const comment = one(form, 'comment').trim() || undefined;
    // Empty: the proposed time while it is still ahead, else now (approveAndPublish decides).
    const at = one(form, 'publishAt').trim() || undefined;
    const timezone = at ? one(form, 'timezone').trim() || undefined : undefined;
    return runFormAction(deps, request, reply, `/items/${id}`, reviewRefusal, async () => {
      const { outcome } = await approveAndPublish(deps.ctx, id, {
        actor: request.actor,
        comment,
        at,
        timezone,
      });
      return {
        kind: 'ok',
        key: outcome.scheduled ? 'review.flash.approvedScheduled' : 'review.flash.approved',
      };
    });
  });

  for (const [path, action] of [
    ['request-changes', 'changes_requested'],
    ['reject', 'rejected'],
  ] as const)
    app.post(`/items/:id/${path}`, needs('review:write'), async (request, reply) => {
      const id = pageItemId(request.params);
      const comment = one((request.body ?? {}) as FormBody, 'comment').trim();
      return runFormAction(deps, request, reply, `/items/${id}`, reviewRefusal, async () => {
        if (!comment) throw new ValidationError({ comment: deps.views.t('review.commentRequired') });
        await decideReview(deps.ctx.store, id, action, { actor: request.actor, comment });
        return { kind: 'ok', key: `review.flash.${action}` };
      });
    });
}
