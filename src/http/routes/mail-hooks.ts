import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { applyFeedback } from '../../newsletter/feedback.js';
import type { HookProvider } from '../../newsletter/mail-hooks.js';
import { HOOK_PROVIDERS, hookEvents, parseJson, verifyHook } from '../../newsletter/mail-hooks.js';
import { sendError } from '../errors.js';

/**
 * `POST /api/hooks/mail/:provider` (mailgun, postmark, brevo, sendgrid): bounces, complaints and
 * unsubscriptions from a sending provider. Not behind the API token: each provider proves itself its own
 * way (signature or credentials, see src/newsletter/mail-hooks.ts), checked on the exact bytes received,
 * so this scope reads bodies as buffers.
 */
export async function mailHookRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: 5_000_000 },
    (_request, body, done) => done(null, body),
  );

  app.post<{ Params: { provider: string } }>('/api/hooks/mail/:provider', async (request, reply) => {
    const provider = request.params.provider as HookProvider;
    if (!HOOK_PROVIDERS.includes(provider))
      return sendError(
        reply,
        404,
        'not_found',
        `no mail webhook for "${request.params.provider}" (one of ${HOOK_PROVIDERS.join(', ')})`,
      );
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    // One answer for every failed check: nothing tells a caller which part was wrong.
    if (
      !verifyHook(
        provider,
        { headers: request.headers, raw, now: Date.now() },
        ctx.config.newsletter.webhooks,
      )
    ) {
      return sendError(reply, 401, 'unauthorized', 'the webhook call could not be authenticated');
    }
    const body = parseJson(raw);
    if (body === null) return sendError(reply, 400, 'malformed_json', 'the request body is not valid JSON');
    request.actor = provider;
    const counts = { applied: 0, duplicate: 0, unknown: 0 };
    for (const event of hookEvents(provider, body)) {
      const result = await applyFeedback(ctx.store, ctx.config.newsletter.suppression, event);
      counts[
        result.outcome === 'applied' ? 'applied' : result.outcome === 'duplicate' ? 'duplicate' : 'unknown'
      ]++;
    }
    return reply.code(200).send(counts);
  });
}
