// Newsletters for staff (inside /api): create, edit a draft, preview as a contact, test, send or
// schedule, watch progress, pause, resume, cancel, per-recipient results.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import type { Newsletter, ProgressCounts, Recipient } from '../../domain/newsletter-send.js';
import { listAudit } from '../../store/audit.js';
import { getNewsletter, listNewsletters, listRecipients, progressOf } from '../../store/newsletters.js';
import { newsletterFeedback } from '../../store/mail-feedback.js';
import { cancelSend, pauseSend, requestSend, resendUnknown, resumeSend } from '../../newsletter/send-flow.js';
import {
  createNewsletter,
  editNewsletter,
  MailSendError,
  previewNewsletter,
  sendTest,
} from '../../newsletter/staff-tools.js';
import { NewsletterTemplateError } from '../../newsletter/templates.js';
import { requestMay } from '../authorize.js';
import { sendError } from '../errors.js';
import { emptyBody, pathId } from '../schemas.js';
import {
  NEWSLETTER_ID,
  newsletterListQuery,
  previewQuery,
  recipientListQuery,
  sendBody,
} from '../newsletter-schemas.js';
import { needs } from '../route-access.js';

const newsletterId = (params: unknown): string => pathId(params, NEWSLETTER_ID, 'newsletter');

export function presentNewsletter(n: Newsletter, progress: ProgressCounts) {
  const { content: _snapshot, layout: _layout, scheduleToken: _internal, ...rest } = n;
  return { ...rest, progress, needsDecision: progress.unknown > 0 };
}

export function presentRecipient(r: Recipient) {
  const { claimedAt: _internal, ...rest } = r;
  return rest;
}

async function withProgress(ctx: Context, id: string) {
  const [newsletter, progress, history] = await Promise.all([
    getNewsletter(ctx.store.db, id),
    progressOf(ctx.store.db, id),
    listAudit(ctx.store.db, 'newsletter', id),
  ]);
  return {
    ...presentNewsletter(newsletter, progress),
    history,
    ...(await newsletterFeedback(ctx.store.db, id, progress.sent)),
  };
}

export function newsletterRoutes(app: FastifyInstance, ctx: Context): void {
  app.register(async (scope) => {
    // A template that does not compile: 422 naming each problem's file and line; anything else goes to
    // the server's error handler.
    scope.setErrorHandler((error, _request, reply) => {
      if (!(error instanceof NewsletterTemplateError)) throw error;
      return reply
        .code(422)
        .send({ error: { code: 'template_error', message: error.message, problems: error.problems } });
    });
    routes(scope, ctx);
  });
}

function routes(app: FastifyInstance, ctx: Context): void {
  app.post('/api/newsletters', needs('newsletters:write'), async (request, reply) => {
    const created = await createNewsletter(ctx, request.body, request.actor);
    return reply
      .code(201)
      .header('location', `/api/newsletters/${created.id}`)
      .send(await withProgress(ctx, created.id));
  });

  app.get('/api/newsletters', needs('newsletters:read'), async (request) => {
    const q = newsletterListQuery.parse(request.query);
    const { newsletters, total } = await listNewsletters(ctx.store.db, q);
    const rows = await Promise.all(
      newsletters.map(async (n) => presentNewsletter(n, await progressOf(ctx.store.db, n.id))),
    );
    return { newsletters: rows, total, limit: q.limit, offset: q.offset };
  });

  app.get('/api/newsletters/:id', needs('newsletters:read'), async (request) =>
    withProgress(ctx, newsletterId(request.params)),
  );

  app.patch('/api/newsletters/:id', needs('newsletters:write'), async (request) => {
    const id = newsletterId(request.params);
    await editNewsletter(ctx, id, request.body, request.actor);
    return withProgress(ctx, id);
  });

  app.get('/api/newsletters/:id/preview', needs('newsletters:read'), async (request, reply) => {
    const id = newsletterId(request.params);
    const q = previewQuery.parse(request.query);
    // Only those who may read contacts preview as one; the others get the sample contact.
    const preview = await previewNewsletter(ctx, id, {
      as: requestMay(request, 'members:read') ? q.contact : undefined,
      language: q.language,
    });
    if (q.format === 'html')
      return reply
        .type('text/html; charset=utf-8')
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:",
        )
        .send(preview.html);
    if (q.format === 'text') return reply.type('text/plain; charset=utf-8').send(preview.text);
    return preview;
  });

  app.post('/api/newsletters/:id/test', needs('newsletters:write'), async (request, reply) => {
    const id = newsletterId(request.params);
    try {
      return await sendTest(ctx, id, request.body, request.actor);
    } catch (error) {
      if (!(error instanceof MailSendError)) throw error;
      return sendError(
        reply,
        502,
        'mail_server_refused',
        `the mail server did not take the test message: ${error.classification.reply}`,
      );
    }
  });

  app.post('/api/newsletters/:id/send', needs('newsletters:write'), async (request, reply) => {
    const id = newsletterId(request.params);
    const body = sendBody.parse(request.body) ?? {};
    await requestSend(ctx, id, { ...body, actor: request.actor });
    return reply.code(202).send(await withProgress(ctx, id));
  });

  for (const [action, run] of [
    ['pause', pauseSend],
    ['resume', resumeSend],
    ['cancel', cancelSend],
  ] as const) {
    app.post(`/api/newsletters/:id/${action}`, needs('newsletters:write'), async (request) => {
      const id = newsletterId(request.params);
      emptyBody.parse(request.body);
      await run(ctx, id, request.actor);
      return withProgress(ctx, id);
    });
  }

  app.post('/api/newsletters/:id/resend-unknown', needs('newsletters:write'), async (request, reply) => {
    const id = newsletterId(request.params);
    emptyBody.parse(request.body);
    const { resent } = await resendUnknown(ctx, id, request.actor);
    return reply.code(202).send({ ...(await withProgress(ctx, id)), resent });
  });

  app.get('/api/newsletters/:id/recipients', needs('members:read'), async (request) => {
    const id = newsletterId(request.params);
    const q = recipientListQuery.parse(request.query);
    await getNewsletter(ctx.store.db, id);
    const { recipients, total } = await listRecipients(ctx.store.db, id, q);
    return { recipients: recipients.map(presentRecipient), total, limit: q.limit, offset: q.offset };
  });
}
