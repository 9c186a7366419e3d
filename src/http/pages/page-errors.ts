import type { FastifyError, FastifyInstance } from 'fastify';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { WebDeps } from './deps.js';
import { asUnavailable } from '../errors.js';
import { sendPage } from './render.js';

/** Errors on a page become a page (not JSON), in plain words; only bugs are logged as errors. */
export function installPageErrors(app: FastifyInstance, deps: WebDeps): void {
  const t = (key: string, params?: Record<string, unknown>) => deps.views.t(key, params);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof NotFoundError) return sendPage(deps, request, reply, 'error', { title: t('error.notFound.title'), message: error.message }, 404);
    if (error instanceof ConflictError) return sendPage(deps, request, reply, 'error', { title: t('error.conflict.title'), message: error.message }, 409);
    if (error instanceof ValidationError) {
      const problems = Object.entries(error.fields).map(([field, problem]) => ({ field, problem }));
      return sendPage(deps, request, reply, 'error', { title: t('error.invalid.title'), message: t('error.invalid.message'), problems }, 400);
    }
    const unavailable = asUnavailable(error);
    if (unavailable) {
      reply.header('retry-after', String(unavailable.retryAfterSeconds));
      return sendPage(deps, request, reply, 'error', { title: t('error.unavailable.title'), message: unavailable.message }, 503);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'page failed');
    const message = status === 500 ? t('error.internal.message') : error.message;
    return sendPage(deps, request, reply, 'error', { title: t(status === 500 ? 'error.internal.title' : 'error.request.title'), message }, status);
  });
}
