import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sessions } from './session.js';

// Two CSRF defences: signed-in forms carry the session's synchroniser token (kept in the session row);
// the sign-in form, before any session exists, uses a signed double-submit cookie.

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const LOGIN_COOKIE = 'herald_login';

const digest = (v: string) => createHash('sha256').update(v).digest();

export function sameToken(presented: unknown, expected: string): boolean {
  return (
    typeof presented === 'string' &&
    presented.length > 0 &&
    timingSafeEqual(digest(presented), digest(expected))
  );
}

/** The token a request presents: the X-CSRF-Token header, else the `_csrf` form field. */
export function presentedToken(request: FastifyRequest): unknown {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | null | undefined;
  return body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
}

export function issueLoginToken(request: FastifyRequest, reply: FastifyReply, sessions: Sessions): string {
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(LOGIN_COOKIE, token, { ...sessions.cookieOptions(request), path: '/login', maxAge: 3600 });
  return token;
}

export function loginTokenValid(request: FastifyRequest): boolean {
  const raw = request.cookies[LOGIN_COOKIE];
  if (!raw) return false;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value !== null && sameToken(presentedToken(request), unsigned.value);
}

export function clearLoginToken(request: FastifyRequest, reply: FastifyReply, sessions: Sessions): void {
  reply.clearCookie(LOGIN_COOKIE, { ...sessions.cookieOptions(request), path: '/login', signed: false });
}

/** Methods that change nothing and so need no token. */
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
