import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Bearer-token check for `/api`: 401 with a WWW-Authenticate header when missing or wrong. */
export function bearerAuth(expectedToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match) {
      reply.header('www-authenticate', 'Bearer realm="herald"');
      return sendError(reply, 401, 'unauthorized', 'send an API token as "Authorization: Bearer <token>"');
    }
    if (!tokenMatches(match[1]!, expectedToken)) {
      reply.header('www-authenticate', 'Bearer realm="herald", error="invalid_token"');
      return sendError(reply, 401, 'unauthorized', 'the API token is not valid');
    }
    request.actor = 'api';
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: string;
  }
}
