import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { NEWSLETTER_KINDS } from '../../domain/newsletter.js';
import { RECIPIENT_STATUSES, type RecipientStatus } from '../../domain/newsletter-send.js';
import { formatInZone } from '../../domain/schedule.js';
import { cancelSend, pauseSend, requestSend, resendUnknown, resumeSend } from '../../newsletter/send-flow.js';
import {
  createNewsletter,
  editNewsletter,
  MailSendError,
  previewNewsletter,
  sendTest,
} from '../../newsletter/staff-tools.js';
import { NewsletterTemplateError } from '../../newsletter/templates.js';
import { listAudit } from '../../store/audit.js';
import { listContacts } from '../../store/members.js';
import { getNewsletter, listNewsletters, listRecipients, progressOf } from '../../store/newsletters.js';
import type { FeedbackSummary } from '../../domain/mail-feedback.js';
import { newsletterFeedback } from '../../store/mail-feedback.js';
import { searchItems } from '../../store/web-queries.js';
import { findItem } from '../../store/items.js';
import { requestMay } from '../authorize.js';
import type { WebDeps } from './deps.js';
import { many, one, type FormBody } from './item-form.js';
import { pageData, redirectWith, runFormAction, sendPage } from './render.js';
import { newsletterActions, newsletterRow, recipientRow } from './newsletter-view.js';
import { needs } from '../route-access.js';
import { pager, statusOptions } from './lists.js';
import { pathId } from '../schemas.js';
import { NEWSLETTER_ID } from '../newsletter-schemas.js';
import { beforeSending, confirmPath } from './newsletter-confirm.js';
import { scheduledForAnnouncement } from './announce-scheduled.js';

const RECIPIENTS_PAGE = 50;

const newsletterId = (params: unknown): string => pathId(params, NEWSLETTER_ID, 'newsletter');

/** A refusal of the newsletter flows in plain words (wrong state, bad time, template or mail server problem), or null for a bug. */
function refusalMessage(error: unknown): string | null {
  if (error instanceof ValidationError)
    return Object.entries(error.fields)
      .map(([f, p]) => `${f}: ${p}`)
      .join('; ');
  if (
    error instanceof ConflictError ||
    error instanceof NewsletterTemplateError ||
    error instanceof MailSendError
  )
    return error.message;
  return null;
}

async function recentItems(deps: WebDeps) {
  const { items } = await searchItems(deps.ctx.store.db, { status: 'published', limit: 30, offset: 0 });
  return items.map((i) => ({ id: i.id, title: i.title }));
}

/** Recent published items plus the ones already chosen, the chosen ones ticked. */
async function itemChoices(deps: WebDeps, chosen: string[]) {
  const recent = await recentItems(deps);
  const missing = chosen.filter((id) => !recent.some((r) => r.id === id));
  const extra = await Promise.all(
    missing.map(async (id) => ({ id, title: (await findItem(deps.ctx.store.db, id))?.title ?? id })),
  );
  return [...extra, ...recent].map((i) => ({ ...i, checked: chosen.includes(i.id) }));
}

async function showList(deps: WebDeps, request: FastifyRequest, reply: FastifyReply) {
  const db = deps.ctx.store.db;
  const { newsletters } = await listNewsletters(db, { limit: 50, offset: 0 });
  const rows = await Promise.all(
    newsletters.map(async (n) => newsletterRow(deps.views, n, await progressOf(db, n.id))),
  );
  return sendPage(deps, request, reply, 'newsletters', {
    title: deps.views.t('newsletters.title'),
    newsletters: rows,
    kinds: NEWSLETTER_KINDS.map((k) => ({ value: k, label: deps.views.t(`newsletter.kind.${k}`) })),
    items: await recentItems(deps),
    mayWrite: requestMay(request, 'newsletters:write'),
    mayAnnounce: requestMay(request, 'items:write'),
    scheduled: await scheduledForAnnouncement(deps, request),
  });
}

/** The page's query; a contact to preview as only for those who may read contacts (the others get the sample). */
function detailQuery(request: FastifyRequest) {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const mayReadContacts = requestMay(request, 'members:read');
  return {
    contact:
      mayReadContacts && typeof q.contact === 'string' && /^ctc_[0-9a-f]{32}$/.test(q.contact)
        ? q.contact
        : '',
    width: q.width === 'mobile' ? 'mobile' : 'desktop',
    status: RECIPIENT_STATUSES.includes(q.status as RecipientStatus)
      ? (q.status as RecipientStatus)
      : undefined,
    page: Math.max(1, Math.min(10_000, Number.parseInt(String(q.page ?? '1'), 10) || 1)),
  };
}

const percent = (share: number) => `${(share * 100).toFixed(2)}%`;

/** Counts with their rates, and the complaint warning (Gmail: target 0.1%, limit 0.3%). */
function feedbackView(f: FeedbackSummary) {
  return {
    rows: [
      { outcome: 'delivered', count: f.delivered, rate: percent(f.rates.delivered) },
      { outcome: 'hard', count: f.bounced.hard, rate: percent(f.rates.hardBounced) },
      { outcome: 'soft', count: f.bounced.soft, rate: percent(f.rates.softBounced) },
      { outcome: 'complained', count: f.complained, rate: percent(f.rates.complained) },
      { outcome: 'unsubscribed', count: f.unsubscribed, rate: percent(f.rates.unsubscribed) },
    ],
    warn: f.complaintLevel === 'warn',
    alarm: f.complaintLevel === 'alarm',
  };
}

async function detailData(deps: WebDeps, request: FastifyRequest, id: string) {
  const db = deps.ctx.store.db;
  const query = detailQuery(request);
  const mayReadContacts = requestMay(request, 'members:read');
  const mayWrite = requestMay(request, 'newsletters:write');
  const [newsletter, progress, recipients, contacts, history] = await Promise.all([
    getNewsletter(db, id),
    progressOf(db, id),
    mayReadContacts
      ? listRecipients(db, id, {
          status: query.status,
          limit: RECIPIENTS_PAGE,
          offset: (query.page - 1) * RECIPIENTS_PAGE,
        })
      : { recipients: [], total: 0 },
    mayReadContacts
      ? listContacts(db, { status: 'active', limit: 200, offset: 0 })
      : { contacts: [], total: 0 },
    listAudit(db, 'newsletter', id),
  ]);
  const actions = newsletterActions(newsletter, progress);
  const zone = request.signedIn?.user.timezone ?? deps.ctx.config.timezone;
  const { feedback, unparsedReports } = await newsletterFeedback(db, id, progress.sent);
  const pages = Math.max(1, Math.ceil(recipients.total / RECIPIENTS_PAGE));
  const link = (page: number) =>
    `/newsletters/${id}?${new URLSearchParams({ ...(query.status ? { status: query.status } : {}), page: String(page) })}#recipients`;
  const previewParams = new URLSearchParams(query.contact ? { contact: query.contact } : {});
  const previewed = contacts.contacts.find((c) => c.id === query.contact);
  return {
    ...(await beforeSending(deps, newsletter, previewed?.language)),
    newsletter: {
      ...newsletterRow(deps.views, newsletter, progress),
      itemIds: newsletter.itemIds,
      subject: newsletter.subject ?? '',
    },
    can: mayWrite ? actions : Object.fromEntries(Object.keys(actions).map((k) => [k, false])),
    mayWrite,
    mayReadContacts,
    live: newsletter.status === 'sending' || newsletter.status === 'scheduled',
    scheduledLocal: newsletter.scheduledAt ? formatInZone(newsletter.scheduledAt, zone) : null,
    query,
    previewUrl: `/newsletters/${id}/preview?${previewParams}`,
    contacts: contacts.contacts.map((c) => ({
      id: c.id,
      label: `${c.name || c.email} – ${c.authorityName} (${c.language})`,
      selected: c.id === query.contact,
    })),
    recipients: recipients.recipients.map((r) => recipientRow(deps.views, r)),
    recipientsTotal: recipients.total,
    recipientStatuses: statusOptions(
      (key) => deps.views.t(key),
      'recipient',
      RECIPIENT_STATUSES,
      query.status,
    ),
    pager: pager(query.page, pages, link),
    history: history.reverse().map((h) => ({
      at: h.at,
      actor: h.actor,
      action: deps.views.i18n.has(`newsletter.event.${h.action}`)
        ? deps.views.t(`newsletter.event.${h.action}`)
        : h.action,
    })),
    feedback: feedbackView(feedback),
    unparsedReports,
    zone,
    testTo: request.signedIn?.user.email ?? '',
    items: await itemChoices(deps, newsletter.itemIds),
  };
}

/** Newsletters: list, create, preview as a contact (desktop and phone widths), test, send or schedule, follow, pause, resume, cancel. */
export function newsletterPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/newsletters', needs('newsletters:read'), async (request, reply) =>
    showList(deps, request, reply),
  );

  app.post('/newsletters', needs('newsletters:write'), async (request, reply) => {
    const form = (request.body ?? {}) as FormBody;
    const subject = one(form, 'subject').trim();
    try {
      const created = await createNewsletter(
        deps.ctx,
        { kind: one(form, 'kind'), itemIds: many(form, 'itemIds'), ...(subject ? { subject } : {}) },
        request.actor,
      );
      return redirectWith(deps, request, reply, `/newsletters/${created.id}`, {
        kind: 'ok',
        key: 'newsletters.created',
      });
    } catch (error) {
      const message = refusalMessage(error);
      if (message === null) throw error;
      return redirectWith(deps, request, reply, '/newsletters', {
        kind: 'error',
        key: 'flash.conflict',
        params: { message },
      });
    }
  });

  app.get('/newsletters/:id', needs('newsletters:read'), async (request, reply) => {
    const id = newsletterId(request.params);
    const data = await detailData(deps, request, id);
    return sendPage(deps, request, reply, 'newsletter', {
      title: data.newsletter.title,
      ...data,
      scripts: ['live.js'],
    });
  });

  app.get('/newsletters/:id/progress', needs('newsletters:read'), async (request, reply) => {
    const data = await detailData(deps, request, newsletterId(request.params));
    const html = deps.views.fragment(
      'newsletter-progress',
      pageData(deps, request, reply, data, { flash: false }),
    );
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  });

  // The message as the contact would get it, for the preview frame: inline styles are the e-mail's own, no scripts at all.
  app.get('/newsletters/:id/preview', needs('newsletters:read'), async (request, reply) => {
    const id = newsletterId(request.params);
    const { contact } = detailQuery(request);
    let preview;
    try {
      preview = await previewNewsletter(deps.ctx, id, { as: contact || undefined });
    } catch (error) {
      if (error instanceof NotFoundError) throw error;
      // Most often the configuration (branding, an http public address): say so inside the frame.
      request.log.warn({ err: (error as Error).message }, 'newsletter preview failed');
      const text = deps.views.t('newsletters.previewFailed', { reason: (error as Error).message });
      return reply
        .code(422)
        .header('x-frame-options', 'SAMEORIGIN')
        .header('content-security-policy', "default-src 'none'; frame-ancestors 'self'")
        .type('text/plain; charset=utf-8')
        .send(text);
    }
    return reply
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
      )
      .header('x-frame-options', 'SAMEORIGIN')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(preview.html);
  });

  app.post('/newsletters/:id', needs('newsletters:write'), async (request, reply) => {
    const id = newsletterId(request.params);
    const form = (request.body ?? {}) as FormBody;
    const subject = one(form, 'subject').trim();
    return runFormAction(deps, request, reply, `/newsletters/${id}`, refusalMessage, async () => {
      await editNewsletter(
        deps.ctx,
        id,
        { itemIds: many(form, 'itemIds'), subject: subject || null },
        request.actor,
      );
      return { kind: 'ok', key: 'flash.saved' };
    });
  });

  app.post('/newsletters/:id/test', needs('newsletters:write'), async (request, reply) => {
    const id = newsletterId(request.params);
    const to = one((request.body ?? {}) as FormBody, 'to').trim();
    return runFormAction(deps, request, reply, `/newsletters/${id}`, refusalMessage, async () => {
      const sent = await sendTest(deps.ctx, id, { to }, request.actor);
      return { kind: 'ok', key: 'newsletters.testSent', params: { to: sent.to } };
    });
  });

  app.post('/newsletters/:id/send', needs('newsletters:write'), async (request, reply) => {
    const id = newsletterId(request.params);
    const form = (request.body ?? {}) as FormBody;
    const at = one(form, 'publishAt').trim();
    if (one(form, 'confirmed') !== 'yes')
      return redirectWith(
        deps,
        request,
        reply,
        confirmPath(id, { publishAt: at, timezone: one(form, 'timezone').trim() }),
      );
    return runFormAction(deps, request, reply, `/newsletters/${id}`, refusalMessage, async () => {
      const n = await requestSend(deps.ctx, id, {
        at: at || undefined,
        timezone: one(form, 'timezone').trim() || undefined,
        actor: request.actor,
      });
      return n.status === 'scheduled'
        ? {
            kind: 'ok',
            key: 'newsletters.scheduled',
            params: {
              when: n.scheduledAt
                ? formatInZone(n.scheduledAt, one(form, 'timezone').trim() || deps.ctx.config.timezone)
                : '',
            },
          }
        : { kind: 'ok', key: 'newsletters.sending' };
    });
  });

  for (const [action, run] of [
    ['pause', pauseSend],
    ['resume', resumeSend],
    ['cancel', cancelSend],
  ] as const) {
    app.post(`/newsletters/:id/${action}`, needs('newsletters:write'), async (request, reply) => {
      const id = newsletterId(request.params);
      return runFormAction(deps, request, reply, `/newsletters/${id}`, refusalMessage, async () => {
        await run(deps.ctx, id, request.actor);
        return { kind: 'ok', key: `newsletters.${action}d` };
      });
    });
  }

  app.post('/newsletters/:id/resend-unknown', needs('newsletters:write'), async (request, reply) => {
    const id = newsletterId(request.params);
    return runFormAction(deps, request, reply, `/newsletters/${id}`, refusalMessage, async () => {
      const { resent } = await resendUnknown(deps.ctx, id, request.actor);
      return { kind: 'ok', key: 'newsletters.resent', params: { count: resent } };
    });
  });
}
