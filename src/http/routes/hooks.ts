import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { SIGNATURE_HEADER, verifySignature } from '../../ingest/webhook-signature.js';
import { createAndPublishFromHook } from '../../ingest/webhook.js';
import { listDeliveriesForItem } from '../../store/deliveries.js';
import { sendError } from '../errors.js';
import { presentDelivery, presentItem } from '../present.js';
import { needs } from '../route-access.js';

/**
 * `POST /api/hooks/publish`: the CMS creates and publishes an item in one call. Not behind the API
 * token: the caller proves it knows the shared secret with an HMAC-SHA256 of the raw body
 * (`X-Herald-Signature: sha256=<hex>`). Register it in its own scope (`app.register`): it replaces
 * the JSON parser there so that the signature is checked on the exact bytes received.
 */
export async function publishHookRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/api/hooks/publish', needs('webhook-signature'), async (request, reply) => {
    const secret = ctx.config.feed.webhookSecret;
    if (!secret) return sendError(reply, 404, 'not_found', 'the publish webhook is off (set HERALD_WEBHOOK_SECRET to turn it on)');
    const raw = Buffer.isBuffer(request.body) ? request.body : null;
    // One answer for every bad signature: nothing tells a caller which part was wrong.
    if (!raw || !verifySignature(secret, raw, request.headers[SIGNATURE_HEADER])) {
      return sendError(reply, 401, 'unauthorized', 'the request signature is not valid');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendError(reply, 400, 'malformed_json', 'the request body is not valid JSON');
    }
    request.actor = 'webhook';
    const outcome = await createAndPublishFromHook(ctx, payload);
    const deliveries = await listDeliveriesForItem(ctx.store.db, outcome.item.id);
    return reply
      .code(outcome.created ? 201 : 200)
      .header('location', `/api/items/${outcome.item.id}`)
      .send({ ...presentItem(outcome.item), deliveries: deliveries.map(presentDelivery), created: outcome.created });
  });
}
