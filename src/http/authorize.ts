import type { FastifyReply, FastifyRequest } from 'fastify';
import { can, isStaffPermission, type Principal, type StaffPermission } from '../domain/permissions.js';
import { bearerAuth } from './auth.js';
import { sendError } from './errors.js';
import { ValidationError } from '../domain/errors.js';
import { CSRF_HEADER, SAFE_METHODS, sameToken } from './pages/csrf.js';
import type { Sessions } from './pages/session.js';
import { isRouteKind, type Surface } from './route-access.js';

export interface Refusals {
  /** Nobody signed in where somebody must be. */
  signIn(request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply>;
  forbidden(
    request: FastifyRequest,
    reply: FastifyReply,
    why: 'role' | 'csrf',
  ): FastifyReply | Promise<FastifyReply>;
}

export interface AuthorizeDeps {
  apiToken: string;
  sessions: Sessions;
  refusals: Record<Surface, Refusals>;
  /** Whether this person wrote this item (routes opened to their own items). */
  ownsItem(actor: string, itemId: string): Promise<boolean>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling once authorized: a role, the API token, or null (public routes). */
    principal: Principal | null;
    /** Let in through a route's `ownItems` permission: lists show the caller's own items only. */
    ownItemsOnly: boolean;
  }
}

/** Whether the caller of an authorized request also has another permission (e.g. to see contacts in a preview). */
export function requestMay(request: FastifyRequest, permission: StaffPermission): boolean {
  return request.principal !== null && can(request.principal, permission);
}

/** Announcing sends a newsletter to the members: that needs the newsletters permission, not only publishing. */
export function refuseAnnounceUnlessAllowed(request: FastifyRequest, announce: boolean | undefined): void {
  if (announce && !requestMay(request, 'newsletters:write'))
    throw new ValidationError({
      announce: 'announcing in the newsletter needs the newsletters:write permission (admins)',
    });
}

/** JSON refusals for the API: 401 (with WWW-Authenticate) and 403 with a stable code. */
export function apiRefusals(apiToken: string): Refusals {
  const bearer = bearerAuth(apiToken);
  return {
    signIn: async (request, reply) => {
      await bearer(request, reply);
      return reply;
    },
    forbidden: (_request, reply, why) =>
      why === 'role'
        ? sendError(
            reply,
            403,
            'forbidden',
            'your role may not do this (see the permission table in docs/web.md)',
          )
        : sendError(
            reply,
            403,
            'csrf_token',
            `a signed-in request that changes something must carry the ${CSRF_HEADER} header of its page`,
          ),
  };
}

/**
 * The one authorization hook (onRequest, on the root instance, so after routing): it reads the route's
 * own declaration, never the path. Staff permissions are checked against the permission table; the other
 * kinds (public, signed links, webhook signatures, the metrics token) are checked by their handlers.
 * The API takes the API token (`Authorization: Bearer`) or a session, and a session's writes there must
 * carry the X-CSRF-Token header; pages take a session only (their form token is checked in the pages'
 * preHandler, once the body is read).
 */
export function authorize(deps: AuthorizeDeps) {
  const bearer = bearerAuth(deps.apiToken);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { permission, surface } = request.routeOptions.config;
    if (request.is404 || isRouteKind(permission)) return;
    // Unreachable: the server does not start with an undeclared route. Refuse rather than trust.
    if (!isStaffPermission(permission) || !surface)
      return sendError(reply, 403, 'forbidden', 'this route declares no permission');
    const refuse = deps.refusals[surface];
    if (surface === 'api' && request.headers.authorization !== undefined) {
      await bearer(request, reply); // a wrong token is never rescued by a cookie
      if (reply.sent) return reply;
      request.principal = 'api';
      return can('api', permission) ? undefined : refuse.forbidden(request, reply, 'role');
    }
    const signedIn = await deps.sessions.load(request);
    if (!signedIn) return refuse.signIn(request, reply);
    const { role, email } = signedIn.user;
    const ownItems = request.routeOptions.config.ownItems;
    const onlyOwn = !can(role, permission) && ownItems !== undefined && can(role, ownItems);
    if (!can(role, permission) && !onlyOwn) return refuse.forbidden(request, reply, 'role');
    if (
      surface === 'api' &&
      !SAFE_METHODS.has(request.method) &&
      !sameToken(request.headers[CSRF_HEADER], signedIn.session.csrfToken)
    )
      return refuse.forbidden(request, reply, 'csrf');
    if (onlyOwn) {
      const itemId = (request.params as { id?: unknown } | undefined)?.id;
      // Another's item answers as a missing one: a contributor does not learn which ids exist.
      if (typeof itemId === 'string' && !(await deps.ownsItem(email, itemId)))
        return sendError(reply, 404, 'not_found', 'no such item');
    }
    request.principal = role;
    request.actor = email;
    request.ownItemsOnly = onlyOwn;
  };
}
