import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../app/context.js';
import { applyFeedback, type FeedbackReport } from '../../newsletter/feedback.js';
import { confirmSubscription, sesEvents, SNS_ORIGINS, verifySns } from '../../newsletter/ses-hook.js';
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
  // SNS posts its JSON as text/plain.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'buffer', bodyLimit: 5_000_000 },
    (_request, body, done) => done(null, body),
  );

  const options = { config: { permission: 'webhook-signature' as const } };
  app.post<{ Params: { provider: string } }>('/api/hooks/mail/:provider', options, async (request, reply) => {
    if (request.params.provider === 'ses') return sesHook(ctx, request, reply);
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
    return reply.code(200).send(await applyAll(ctx, hookEvents(provider, body)));
  });
}

async function applyAll(
  ctx: Context,
  events: FeedbackReport[],
): Promise<{ applied: number; duplicate: number; unknown: number }> {
  const counts = { applied: 0, duplicate: 0, unknown: 0 };
  for (const event of events) {
    const result = await applyFeedback(ctx.store, ctx.config.newsletter.suppression, event);
    counts[
      result.outcome === 'applied' ? 'applied' : result.outcome === 'duplicate' ? 'duplicate' : 'unknown'
    ]++;
  }
  return counts;
}

/** SES through SNS: the signature (certificate from an allowed origin), the topic, then the message. */
async function sesHook(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const hooks = ctx.config.newsletter.webhooks;
  const message = parseJson(Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)) as Record<
    string,
    unknown
  > | null;
  const check = {
    origins: hooks.sesCertOrigins ?? SNS_ORIGINS,
    allowPrivate: ctx.config.allowPrivateUrls,
    now: Date.now(),
  };
  const topicAllowed =
    !!message &&
    typeof message.TopicArn === 'string' &&
    (hooks.sesTopicArns ?? []).includes(message.TopicArn);
  if (!message || !topicAllowed || !(await verifySns(message, check))) {
    return sendError(reply, 401, 'unauthorized', 'the webhook call could not be authenticated');
  }
  request.actor = 'ses';
  if (message.Type === 'SubscriptionConfirmation') {
    const confirmed = await confirmSubscription(message, check).catch(() => false);
    return confirmed
      ? reply.code(200).send({ confirmed: true })
      : sendError(reply, 502, 'subscription_not_confirmed', 'the SNS subscription could not be confirmed');
  }
  if (message.Type !== 'Notification') return reply.code(200).send({ applied: 0, duplicate: 0, unknown: 0 });
  return reply.code(200).send(await applyAll(ctx, sesEvents(message)));
}
