import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { roleAllows, type StaffRole } from '../../domain/staff.js';
import { loginTokenValid, presentedToken, SAFE_METHODS, sameToken } from './csrf.js';
import type { Sessions } from './session.js';

/** Who may use a page route: anyone (`public`), signed-in staff (`editor`, the default) or admins. */
export type Access = 'public' | StaffRole;

export interface RouteInfo {
  method: string;
  url: string;
  access: Access;
}

export function accessOf(route: Pick<RouteOptions, 'config'> | { config?: unknown }): Access {
  const access = (route.config as { access?: Access } | undefined)?.access;
  return access ?? 'editor';
}

/** Routes that use the sign-in form's own (pre-session) CSRF token. */
const LOGIN_FORM = '/login';

export interface Refusals {
  /** Nobody signed in on a page that needs it. */
  signIn(request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply>;
  forbidden(request: FastifyRequest, reply: FastifyReply, why: 'role' | 'csrf'): FastifyReply | Promise<FastifyReply>;
}

/** onRequest: checks the role a route needs against the signed-in user. */
export function requireAccess(sessions: Sessions, refuse: Refusals) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const access = accessOf(request.routeOptions);
    if (access === 'public') return;
    const signedIn = await sessions.load(request);
    if (!signedIn) return refuse.signIn(request, reply);
    if (!roleAllows(signedIn.user.role, access)) return refuse.forbidden(request, reply, 'role');
    request.actor = signedIn.user.email;
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
    if (!signedIn || !sameToken(presentedToken(request), signedIn.session.csrfToken)) return refuse.forbidden(request, reply, 'csrf');
  };
}
