import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { verifyWebhook, WEBHOOK_ID_HEADER } from '../../ingest/webhook-signature.js';
import { createAndPublishFromHook } from '../../ingest/webhook.js';
import { listDeliveriesForItem } from '../../store/deliveries.js';
import { sendError } from '../errors.js';
import { jsonRepeats, takeEffectOnce } from '../once.js';
import { presentDelivery, presentItem } from '../present.js';
import { needs } from '../route-access.js';

/** How long a webhook-id is remembered; far longer than the 5 minutes a signed timestamp is accepted. */
export const WEBHOOK_ID_KEEP_MS = 24 * 60 * 60_000;
export const WEBHOOK_REPLAYED_HEADER = 'webhook-replayed';

/**
 * `POST /api/hooks/publish`: the CMS creates and publishes an item in one call. Not behind the API
 * token: the caller signs each message after Standard Webhooks (webhook-id, webhook-timestamp,
 * webhook-signature over "id.timestamp.body", see ingest/webhook-signature.ts). Each webhook-id acts once:
 * a replay gets the first answer (200 for a success) and does nothing. Register it in its own scope
 * (`app.register`): it replaces the JSON parser there so that the signature is checked on the exact bytes.
 */
export async function publishHookRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  app.addHook('preHandler', async (request, reply) => {
    const secret = ctx.config.feed.webhookSecret;
    if (!secret)
      return sendError(
        reply,
        404,
        'not_found',
        'the publish webhook is off (set HERALD_WEBHOOK_SECRET to turn it on)',
      );
    const raw = Buffer.isBuffer(request.body) ? request.body : null;
    // One answer for every bad signature, old or future timestamp: nothing tells a caller which part was wrong.
    if (!raw || verifyWebhook(secret, raw, request.headers) === null)
      return sendError(reply, 401, 'unauthorized', 'the request signature is not valid');
    request.actor = 'webhook';
  });
  takeEffectOnce(app, ctx.store, {
    keepMs: WEBHOOK_ID_KEEP_MS,
    keyOf: (request) => ({ scope: 'webhook', key: String(request.headers[WEBHOOK_ID_HEADER]) }), // verified above
    repeat: jsonRepeats({
      reused: [
        'webhook_id_reused',
        'this webhook-id came with another message; give each message its own id',
      ],
      inProgress: [
        'webhook_in_progress',
        'a message with this webhook-id is still being handled; try again shortly',
      ],
      replayedHeader: WEBHOOK_REPLAYED_HEADER,
      successStatus: 200,
    }),
  });

  app.post('/api/hooks/publish', needs('webhook-signature'), async (request, reply) => {
    let payload: unknown;
    try {
      payload = JSON.parse((request.body as Buffer).toString('utf8'));
    } catch {
      return sendError(reply, 400, 'malformed_json', 'the request body is not valid JSON');
    }
    const outcome = await createAndPublishFromHook(ctx, payload);
    const deliveries = await listDeliveriesForItem(ctx.store.db, outcome.item.id);
    return reply
      .code(outcome.created ? 201 : 200)
      .header('location', `/api/items/${outcome.item.id}`)
      .send({
        ...presentItem(outcome.item),
        deliveries: deliveries.map(presentDelivery),
        created: outcome.created,
      });
  });
}
