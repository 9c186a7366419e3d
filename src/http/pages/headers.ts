import type { FastifyReply, FastifyRequest } from 'fastify';

/** The pages: no inline script or style, nothing from other sites but pictures (item images are remote). */
export const PAGES_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The queue dashboard (@bull-board): its React UI sets element styles and ships one <style> block, so
 * styles may be inline there; scripts still come only from this origin.
 */
export const QUEUES_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
].join('; ');

/** Headers every response of the web and API scopes carries. */
export function securityHeaders(csp: string | null) {
  return async (_request: FastifyRequest, reply: FastifyReply) => {
    if (csp) reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  };
}
