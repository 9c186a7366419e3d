import type { FastifyInstance, FastifyRequest } from 'fastify';
import { replay, takeEffectOnce } from '../once.js';
import type { WebDeps } from './deps.js';
import { sendPage } from './render.js';

/** The hidden field with a form's one-time submission token (partials/form-tokens.hbs). */
export const ONCE_FIELD = '_once';
/** A person who comes back to a form (Back, another tab) within a day gets the first result. */
export const FORM_TOKEN_KEEP_MS = 24 * 60 * 60_000;
/**
 * The import report carries the whole CSV (for the rejected-rows download), and that download is the
 * contacts' data itself: their answers are kept only for a quick repeat. Both are safe to run again later
 * (an import creates or updates by address; the download saves nothing).
 */
export const CONTACT_DATA_KEEP_MS = 10 * 60_000;
const CONTACT_DATA_FORMS = new Set(['/members/import', '/members/import/rejected']);
/** A second submit while the first still runs waits for the first's answer, up to this long. */
const WAIT_FOR_FIRST_MS = 15_000;
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

function formTokenOf(request: FastifyRequest): string | null {
  if (request.method !== 'POST' || request.actor === 'anonymous') return null;
  const body = request.body as Record<string, unknown> | null | undefined;
  const token = body && typeof body === 'object' ? body[ONCE_FIELD] : undefined;
  return typeof token === 'string' && TOKEN.test(token) ? token : null;
}

/**
 * Every staff form carries a one-time token: a second submit of the same token (double click, Back then
 * submit, a duplicated tab) gets the answer of the first (usually its redirect) and changes nothing.
 * The token names the form, not its contents: what was edited before submitting again does not matter.
 */
export function formsTakeEffectOnce(app: FastifyInstance, deps: WebDeps): void {
  takeEffectOnce(app, deps.ctx.store, {
    keepMs: (request) =>
      CONTACT_DATA_FORMS.has(request.routeOptions.url ?? '') ? CONTACT_DATA_KEEP_MS : FORM_TOKEN_KEEP_MS,
    waitMs: WAIT_FOR_FIRST_MS,
    fingerprint: (request) => `${request.method} ${request.url}`,
    keyOf(request) {
      const token = formTokenOf(request);
      return token === null ? null : { scope: `form:${request.actor}`, key: token };
    },
    repeat(reply, claim) {
      if (claim.kind === 'done') return replay(reply, claim.response);
      const key = claim.kind === 'in_progress' ? 'error.formInProgress' : 'error.formReused';
      const t = (k: string) => deps.views.t(k);
      return sendPage(
        deps,
        reply.request,
        reply,
        'error',
        { title: t(`${key}.title`), message: t(`${key}.message`) },
        409,
      );
    },
  });
}
