import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SAFE_METHODS } from './csrf.js';
import type { WebDeps } from './deps.js';
import { QUEUES_CSP, securityHeaders } from './headers.js';
import { sendPage } from './render.js';

export const QUEUES_PATH = '/admin/queues';

/**
 * Its React UI cannot send our CSRF token, so writes must come from this very site: the browser says so
 * in Sec-Fetch-Site / Origin (and the SameSite=Lax session cookie is not sent with cross-site writes anyway).
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function guard(deps: WebDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const signedIn = await deps.sessions.load(request);
    const t = (key: string) => deps.views.t(key);
    if (!signedIn) {
      if (request.method === 'GET') return reply.code(303).header('location', `/login?next=${encodeURIComponent(request.url)}`).send();
      return reply.code(401).send({ error: { code: 'unauthorized', message: t('error.signin.message') } });
    }
    if (signedIn.user.role !== 'admin') {
      return sendPage(deps, request, reply, 'error', { title: t('error.forbidden.title'), message: t('error.forbidden.message'), reason: 'role' }, 403);
    }
    // The board's error messages use NUL as a separator and quote the value received: one in the URL makes it fail (500).
    if (request.url.includes('%00')) return reply.code(400).send({ error: { code: 'bad_request', message: t('error.request.title') } });
    if (!SAFE_METHODS.has(request.method) && !sameOrigin(request)) {
      return reply.code(403).send({ error: { code: 'csrf', message: t('error.csrf.message') } });
    }
    request.actor = signedIn.user.email;
  };
}

/** The @bull-board queue dashboard for admins, behind the same sign-in. */
export function queueBoard(deps: WebDeps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) if (method !== 'HEAD') deps.routes.push({ method, url: route.url, access: 'admin' });
    });
    app.addHook('onRequest', securityHeaders(QUEUES_CSP));
    app.addHook('onRequest', guard(deps));
    // Some of the board's writes send an empty JSON body; read it as "no body".
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    const adapter = new FastifyAdapter();
    adapter.setBasePath(QUEUES_PATH);
    createBullBoard({
      // Retrying here would bypass the delivery records; staff retry failed deliveries on Herald's own pages.
      queues: deps.ctx.queues.all().map((q) => new BullMQAdapter(q, { allowRetries: false })),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: `${deps.ctx.config.organisationName} queues` } },
    });
    await app.register(adapter.registerPlugin() as Parameters<FastifyInstance['register']>[0], { prefix: QUEUES_PATH });
  };
}
