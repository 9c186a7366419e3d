import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Refusals } from '../authorize.js';
import { loginTokenValid, presentedToken, SAFE_METHODS, sameToken } from './csrf.js';
import type { WebDeps } from './deps.js';
import { sendPage } from './render.js';
import type { Sessions } from './session.js';
import { inRequestLanguage } from './ui-language.js';

/** Routes that use the sign-in form's own (pre-session) CSRF token. */
const LOGIN_FORM = '/login';

/**
 * The error page of a refusal, in the reader's language: refusals are answered before the pages' own
 * hooks, which set the language for everything else.
 */
function refusalPage(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  key: string,
  status: number,
  reason?: string,
) {
  return inRequestLanguage(request, () => {
    const words = { title: deps.views.t(`${key}.title`), message: deps.views.t(`${key}.message`) };
    return sendPage(deps, request, reply, 'error', { ...words, ...(reason ? { reason } : {}) }, status);
  });
}

/** How pages refuse: a GET goes to the sign-in page (and back), anything else gets an error page. */
export function pageRefusals(deps: WebDeps): Refusals {
  return {
    signIn(request: FastifyRequest, reply: FastifyReply) {
      if (request.method === 'GET') {
        const next = encodeURIComponent(request.url);
        return reply.code(303).header('location', `/login?next=${next}`).send();
      }
      return refusalPage(deps, request, reply, 'error.signin', 401);
    },
    forbidden(request: FastifyRequest, reply: FastifyReply, why: 'role' | 'csrf') {
      return refusalPage(deps, request, reply, why === 'role' ? 'error.forbidden' : 'error.csrf', 403, why);
    },
  };
}

/** preHandler (after the body is parsed): every state-changing request carries the right CSRF token. */
export function requireCsrf(sessions: Sessions, refuse: Refusals) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (request.routeOptions.url === LOGIN_FORM) {
      if (!loginTokenValid(request)) return refuse.forbidden(request, reply, 'csrf');
      return;
    }
    const signedIn = await sessions.load(request);
    if (!signedIn || !sameToken(presentedToken(request), signedIn.session.csrfToken))
      return refuse.forbidden(request, reply, 'csrf');
  };
}
