import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { preferredLanguage } from '../accept-language.js';

// Each staff page is rendered in its reader's language. The request being served is kept in an
// AsyncLocalStorage (as @fastify/request-context does) so that every `deps.views.t(...)` follows it
// without each handler passing the language along.

const servedRequest = new AsyncLocalStorage<FastifyRequest>();
const browserLanguage = new WeakMap<FastifyRequest, string | undefined>();

/** The best of `available` for the browser's Accept-Language, or undefined when none fits. */
function negotiated(request: FastifyRequest, available: readonly string[]): string | undefined {
  if (!browserLanguage.has(request)) {
    browserLanguage.set(request, preferredLanguage(request.headers['accept-language'], available));
  }
  return browserLanguage.get(request);
}

/** A staff member's choice on "My account", else the browser's language, else undefined (the installation's). */
export function requestLanguage(request: FastifyRequest, available: readonly string[]): string | undefined {
  const chosen = request.signedIn?.user.language;
  if (chosen && available.includes(chosen)) return chosen;
  return negotiated(request, available);
}

/** The language of the request this code runs for, if any. */
export function languageNow(available: readonly string[]): string | undefined {
  const request = servedRequest.getStore();
  return request ? requestLanguage(request, available) : undefined;
}

/** Runs `render` in `request`'s language: for pages answered before the pages' own hooks ran (refusals). */
export function inRequestLanguage<T>(request: FastifyRequest, render: () => T): T {
  return servedRequest.run(request, render);
}

/** Makes the pages of `app` render in each request's language. */
export function serveInRequestLanguage(app: FastifyInstance): void {
  const bind = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) =>
    servedRequest.run(request, done);
  app.addHook('onRequest', bind);
  app.addHook('preHandler', bind); // again after the body is read: stream events may run outside the first
}
