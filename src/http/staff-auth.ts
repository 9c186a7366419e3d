import type { FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows, type StaffRole } from '../domain/staff.js';
import { bearerAuth } from './auth.js';
import { sendError } from './errors.js';
import { CSRF_HEADER, SAFE_METHODS, sameToken } from './pages/csrf.js';
import type { Sessions } from './pages/session.js';

/** API paths only admins may use with a staff session (the API token may use everything). */
export const ADMIN_API_PREFIXES = ['/api/users', '/api/members', '/api/contacts', '/api/channels', '/api/sources'];

export function apiRoleFor(path: string): StaffRole {
  return ADMIN_API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`)) ? 'admin' : 'editor';
}

/**
 * `/api` accepts either the API token (`Authorization: Bearer`, as before) or a staff session cookie,
 * so the pages' JavaScript can use the JSON API. With a session, the route's role is checked and every
 * write must carry the session's CSRF token in the X-CSRF-Token header (403 otherwise).
 */
export function apiAuth(apiToken: string, sessions: Sessions) {
  const bearer = bearerAuth(apiToken);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers.authorization !== undefined) return bearer(request, reply);
    const signedIn = await sessions.load(request);
    if (!signedIn) return bearer(request, reply); // answers 401 with the usual WWW-Authenticate
    const path = request.url.split('?')[0]!;
    if (!roleAllows(signedIn.user.role, apiRoleFor(path))) return sendError(reply, 403, 'forbidden', 'this needs the admin role');
    if (!SAFE_METHODS.has(request.method) && !sameToken(request.headers[CSRF_HEADER], signedIn.session.csrfToken)) {
      return sendError(reply, 403, 'csrf_token', `a signed-in request that changes something must carry the ${CSRF_HEADER} header of its page`);
    }
    request.actor = signedIn.user.email;
  };
}
