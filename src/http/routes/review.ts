import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { approveAndPublish, decideReview, submitForReview } from '../../app/review.js';
import { findReview, listReviewEvents, listReviewQueue } from '../../store/reviews.js';
import { approveBody, decisionBody, emptyBody, ITEM_ID, pathId, submitBody } from '../schemas.js';
import { needs } from '../route-access.js';
import { refuseAnnounceUnlessAllowed } from '../authorize.js';

// The review loop over the API: contributors (and anyone writing items) submit; reviewers decide.

const itemId = (params: unknown): string => pathId(params, ITEM_ID, 'item');

/** An item's review and its history, as the API shows them. */
export async function reviewOf(ctx: Context, id: string) {
  const [review, history] = await Promise.all([
    findReview(ctx.store.db, id),
    listReviewEvents(ctx.store.db, id),
  ]);
  const { itemId: _id, ...shown } = review;
  return { ...shown, history: history.map(({ itemId: _item, ...event }) => event) };
}

export function reviewRoutes(app: FastifyInstance, ctx: Context): void {
  app.post('/api/items/:id/submit', needs('items:write', 'submissions:write'), async (request) => {
    const id = itemId(request.params);
    const body = submitBody.parse(request.body) ?? {};
    await submitForReview(ctx, id, { ...body, actor: request.actor });
    return reviewOf(ctx, id);
  });

  app.post('/api/items/:id/approve', needs('review:write'), async (request, reply) => {
    const id = itemId(request.params);
    const body = approveBody.parse(request.body) ?? {};
    refuseAnnounceUnlessAllowed(request, body.announce);
    const { outcome } = await approveAndPublish(ctx, id, { ...body, actor: request.actor });
    return reply.code(202).send({ ...(await reviewOf(ctx, id)), scheduled: outcome.scheduled });
  });

  for (const [path, action] of [
    ['request-changes', 'changes_requested'],
    ['reject', 'rejected'],
  ] as const)
    app.post(`/api/items/:id/${path}`, needs('review:write'), async (request) => {
      const id = itemId(request.params);
      const { comment } = decisionBody.parse(request.body);
      await decideReview(ctx.store, id, action, { actor: request.actor, comment });
      return reviewOf(ctx, id);
    });

  app.get('/api/review', needs('review:read'), async (request) => {
    emptyBody.parse(request.query);
    const now = Date.now();
    const queue = await listReviewQueue(ctx.store.db);
    return {
      items: queue.map((entry) => ({
        ...entry,
        ageSeconds: entry.submittedAt
          ? Math.max(0, Math.round((now - Date.parse(entry.submittedAt)) / 1000))
          : 0,
      })),
    };
  });
}
