// The public subscription form (double opt-in) and its confirmation link, outside the /api bearer scope.
// The form answers the same whether or not the address is known, whether or not a mail went out (the
// honeypot, the per-address limit); only the per-IP limit answers differently (429). The confirmation
// link's GET shows a button (mail scanners follow links); its POST confirms, once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../app/context.js';
import { ValidationError } from '../../domain/errors.js';
import { normaliseLanguage } from '../../domain/member.js';
import { validateSubscribeForm } from '../../domain/subscribe.js';
import { PAGE_HEADERS } from '../../newsletter/pages.js';
import { newsletterSettings } from '../../newsletter/settings.js';
import {
  confirmSubscription,
  offeredSubscriptions,
  requestSubscription,
} from '../../newsletter/subscribe.js';
import {
  confirmedPage,
  confirmSubscriptionPage,
  simpleSubscribePage,
  subscribeFormPage,
  type FormView,
} from '../../newsletter/subscribe-pages.js';
import { verifyToken } from '../../newsletter/unsubscribe-token.js';
import { findSubscriptionRequest } from '../../store/subscriptions.js';
import { LoginLimiter } from '../pages/login-limit.js';
import { needs } from '../route-access.js';
import { formBodiesOnly, languageChoices } from './unsubscribe.js';
import { preferredLanguage } from '../accept-language.js';
import { defaultTemplatesDir } from '../../newsletter/templates.js';
import { templateLanguages } from '../../newsletter/i18n.js';

const formQuery = z.object({
  lang: z.string().max(35).optional(),
  source: z.string().max(300).optional(),
});

export function subscribeRoutes(app: FastifyInstance, ctx: Context): void {
  const settings = () => newsletterSettings(ctx.config);
  const deps = { store: ctx.store, config: ctx.config };
  // The sign-in limiter's per-address counting, reused for the form's requests per client address.
  const limiter = new LoginLimiter(
    ctx.queues.connection,
    `${ctx.config.queuePrefix}:subscribe`,
    {
      perIp: ctx.config.newsletter.subscribe.perIpPerHour,
      perAccount: Number.MAX_SAFE_INTEGER,
      windowMs: 3_600_000,
    },
    ctx.log,
  );
  const send = (reply: FastifyReply, status: number, html: string) =>
    reply.code(status).headers(PAGE_HEADERS).send(html);
  const view = (language: string, extra: Partial<FormView> = {}): FormView => ({
    org: settings().branding.organisationName,
    offered: offeredSubscriptions(ctx.config),
    languages: languageChoices(language),
    ...extra,
  });
  const tokenOf = (request: FastifyRequest) => String((request.params as { '*'?: unknown })['*'] ?? '');
  const requestOf = async (request: FastifyRequest) => {
    const claims = verifyToken(tokenOf(request), settings().tokenKeys, 'confirm');
    return claims ? findSubscriptionRequest(ctx.store.db, claims.contactId) : null;
  };

  app.register(async (pub) => {
    formBodiesOnly(pub); // a JSON or other body reads as an empty form: a 400 naming the fields

    pub.get('/subscribe', needs('public'), async (request, reply) => {
      const q = formQuery.parse(request.query);
      const language =
        (q.lang && normaliseLanguage(q.lang)) ||
        preferredLanguage(request.headers['accept-language'], templateLanguages(defaultTemplatesDir())) ||
        settings().defaultLanguage;
      return send(reply, 200, subscribeFormPage(language, view(language, { source: q.source })));
    });

    pub.post('/subscribe', needs('public'), async (request, reply) => {
      const form = (request.body ?? {}) as Record<string, string>;
      const language =
        (typeof form.language === 'string' && normaliseLanguage(form.language)) || settings().defaultLanguage;
      let parsed;
      try {
        parsed = validateSubscribeForm(form, offeredSubscriptions(ctx.config));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const chosen = Object.keys(form).filter((k) => form[k] === 'yes');
        const values = { email: String(form.email ?? ''), language, chosen };
        return send(
          reply,
          400,
          subscribeFormPage(language, view(language, { values, errors: error.fields })),
        );
      }
      const limit = await limiter.attempt(request.ip, parsed.email);
      if (limit.blocked) {
        reply.header('retry-after', String(limit.retryAfterS));
        return send(reply, 429, simpleSubscribePage(language, 'tooMany'));
      }
      await requestSubscription(deps, parsed);
      return send(reply, 200, simpleSubscribePage(parsed.language, 'requested'));
    });

    pub.get('/subscribe/confirm/*', needs('signed-link'), async (request, reply) => {
      const found = await requestOf(request);
      if (!found) return send(reply, 404, simpleSubscribePage(undefined, 'invalid'));
      if (found.confirmedAt) return send(reply, 200, confirmedPage(found.language, found.email, true));
      if (found.expiresAt <= new Date().toISOString())
        return send(reply, 410, simpleSubscribePage(found.language, 'expired'));
      const org = settings().branding.organisationName;
      return send(reply, 200, confirmSubscriptionPage(found.language, found.email, org));
    });

    pub.post('/subscribe/confirm/*', needs('signed-link'), async (request, reply) => {
      const claims = verifyToken(tokenOf(request), settings().tokenKeys, 'confirm');
      const result = claims
        ? await confirmSubscription(deps, claims.contactId)
        : { outcome: 'invalid' as const };
      if (result.outcome === 'invalid') return send(reply, 404, simpleSubscribePage(undefined, 'invalid'));
      if (result.outcome === 'expired')
        return send(reply, 410, simpleSubscribePage(result.language, 'expired'));
      return send(reply, 200, confirmedPage(result.language, result.email, result.outcome === 'already'));
    });
  });
}
