import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { canDoNewsletter } from '../../domain/newsletter-send.js';
import { formatInZone, parsePublishTime, whenToRun } from '../../domain/schedule.js';
import type { Newsletter } from '../../domain/newsletter-send.js';
import { inboxLine, sendSummary, type SendSummary } from '../../newsletter/send-summary.js';
import { findItem } from '../../store/items.js';
import { needs } from '../route-access.js';
import type { WebDeps } from './deps.js';
import { redirectWith, sendPage } from './render.js';
import type { Views } from './views.js';

// "Send" is two steps: the draft's Send form asks (GET) for this page, which shows what will happen, and
// only its own form (a POST with a one-time token, like every staff form) sends. POST /newsletters/:id/send
// without `confirmed` comes back here.

const NEWSLETTER_ID = /^nl_[0-9a-f]{32}$/;

/** The language's own name in the page's language: "French (fr)". */
function languageLabel(views: Views, code: string): string {
  try {
    const name = new Intl.DisplayNames([views.i18n.language], { type: 'language' }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

/** The recipients, by language, and the earlier announcements, shaped for the templates. */
export async function summaryView(deps: WebDeps, summary: SendSummary) {
  const views = deps.views;
  const titles = new Map<string, string>();
  for (const { itemId } of summary.alreadyAnnounced)
    if (!titles.has(itemId)) titles.set(itemId, (await findItem(deps.ctx.store.db, itemId))?.title ?? itemId);
  return {
    subject: summary.subject,
    from: summary.from,
    preheader: summary.preheader,
    total: summary.recipients.total,
    totalText: views.t('newsletters.recipientCount', { count: summary.recipients.total }),
    byLanguage: summary.recipients.byLanguage.map((l) => ({
      language: l.language,
      label: languageLabel(views, l.language),
      count: l.count,
      countText: views.t('newsletters.recipientCount', { count: l.count }),
    })),
    alreadyAnnounced: summary.alreadyAnnounced.map((a) => ({
      itemTitle: titles.get(a.itemId) ?? a.itemId,
      newsletterId: a.newsletter.id,
      newsletterTitle: a.newsletter.subject ?? views.t(`newsletter.kind.${a.newsletter.kind}`),
      status: views.t(`newsletter.status.${a.newsletter.status}`),
      at: a.newsletter.sentAt ?? a.newsletter.startedAt ?? a.newsletter.scheduledAt,
    })),
  };
}

/**
 * What the newsletter page adds before sending: the inbox line (in the previewed contact's language) and,
 * for a draft or a scheduled one, who would get it now. A newsletter that cannot be composed (template,
 * branding) gets neither; its preview frame says why.
 */
export async function beforeSending(deps: WebDeps, newsletter: Newsletter, language: string | undefined) {
  const open = newsletter.status === 'draft' || newsletter.status === 'scheduled';
  try {
    const inbox = await inboxLine(deps.ctx, newsletter, language);
    if (!open) return { inbox, draft: null };
    const draft = await summaryView(deps, await sendSummary(deps.ctx, newsletter.id));
    return {
      inbox,
      draft: { ...draft, totalText: deps.views.t('newsletters.draftRecipients', { count: draft.total }) },
    };
  } catch (error) {
    deps.ctx.log.warn(
      { err: (error as Error).message, newsletterId: newsletter.id },
      'newsletter summary failed',
    );
    return { inbox: null, draft: null };
  }
}

interface SendChoice {
  publishAt: string;
  timezone: string;
}

function choiceOf(query: unknown, fallbackZone: string): SendChoice {
  const q = (query ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 100) : '');
  return { publishAt: text(q.publishAt), timezone: text(q.timezone) || fallbackZone };
}

/** When it would go: null for now; the local time for a schedule. Throws ValidationError for a bad time. */
function whenOf(choice: SendChoice): string | null {
  if (!choice.publishAt) return null;
  const when = parsePublishTime(choice.publishAt, choice.timezone, 'publishAt');
  return whenToRun(when.at) === 'now' ? null : formatInZone(when.at, choice.timezone);
}

async function showConfirm(deps: WebDeps, request: FastifyRequest, reply: FastifyReply, id: string) {
  const back = `/newsletters/${id}`;
  const zone = request.signedIn?.user.timezone ?? deps.ctx.config.timezone;
  const choice = choiceOf(request.query, zone);
  let when: string | null;
  try {
    when = whenOf(choice);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const message = Object.values(error.fields).join('; ');
    return redirectWith(deps, request, reply, back, {
      kind: 'error',
      key: 'flash.conflict',
      params: { message },
    });
  }
  const summary = await sendSummary(deps.ctx, id);
  if (!canDoNewsletter(when ? 'schedule' : 'send', summary.newsletter.status))
    return redirectWith(deps, request, reply, back);
  const view = await summaryView(deps, summary);
  return sendPage(deps, request, reply, 'newsletter-confirm', {
    title: deps.views.t(when ? 'newsletters.confirm.titleSchedule' : 'newsletters.confirm.title'),
    id,
    back,
    summary: view,
    when,
    choice,
  });
}

/** The path of the confirmation step for a Send form's values. */
export function confirmPath(id: string, choice: SendChoice): string {
  return `/newsletters/${id}/send?${new URLSearchParams({ ...choice })}`;
}

export function newsletterConfirmPage(app: FastifyInstance, deps: WebDeps): void {
  app.get('/newsletters/:id/send', needs('newsletters:write'), async (request, reply) => {
    const id = String((request.params as { id?: unknown }).id ?? '');
    if (!NEWSLETTER_ID.test(id)) throw new NotFoundError('newsletter', id.slice(0, 80));
    return showConfirm(deps, request, reply, id);
  });
}
