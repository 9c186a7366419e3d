import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Refusals } from '../authorize.js';
import { loginTokenValid, presentedToken, SAFE_METHODS, sameToken } from './csrf.js';
import type { WebDeps } from './deps.js';
import { sendPage } from './render.js';
import type { Sessions } from './session.js';
import { inRequestLanguage } from './ui-language.js';

/** Routes that use the sign-in form's own (pre-session) CSRF token. */
const LOGIN_FORM = '/login';

/** How pages refuse: a GET goes to the sign-in page (and back), anything else gets an error page. */
export function pageRefusals(deps: WebDeps): Refusals {
  return {
    signIn(request: FastifyRequest, reply: FastifyReply) {
      if (request.method === 'GET') {
        const next = encodeURIComponent(request.url);
        return reply.code(303).header('location', `/login?next=${next}`).send();
      }
      return inRequestLanguage(request, () =>
        sendPage(
          deps,
          request,
          reply,
          'error',
          { title: deps.views.t('error.signin.title'), message: deps.views.t('error.signin.message') },
          401,
        ),
      );
    },
    forbidden(request: FastifyRequest, reply: FastifyReply, why: 'role' | 'csrf') {
      const key = why === 'role' ? 'error.forbidden' : 'error.csrf';
      // Refused before the pages' own hooks: the reader's language is set here.
      return inRequestLanguage(request, () =>
        sendPage(
          deps,
          request,
          reply,
          'error',
          { title: deps.views.t(`${key}.title`), message: deps.views.t(`${key}.message`), reason: why },
          403,
        ),
      );
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
