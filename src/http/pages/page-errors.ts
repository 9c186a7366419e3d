import type { FastifyError, FastifyInstance } from 'fastify';
import { isUnavailable, knownError, retryAfterSeconds } from '../../app/errors.js';
import { ValidationError } from '../../domain/errors.js';
import type { WebDeps } from './deps.js';
import { sendPage } from './render.js';

const PAGE_TITLES: Record<number, string> = { 404: 'error.notFound.title', 409: 'error.conflict.title' };

/** Errors on a page become a page (not JSON), in plain words; only bugs are logged as errors. */
export function installPageErrors(app: FastifyInstance, deps: WebDeps): void {
  const t = (key: string, params?: Record<string, unknown>) => deps.views.t(key, params);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const herald = knownError(error);
    if (herald instanceof ValidationError) {
      const problems = Object.entries(herald.fields).map(([field, problem]) => ({ field, problem }));
      return sendPage(
        deps,
        request,
        reply,
        'error',
        { title: t('error.invalid.title'), message: t('error.invalid.message'), problems },
        400,
      );
    }
    if (herald?.isCallerError) {
      return sendPage(
        deps,
        request,
        reply,
        'error',
        { title: t(PAGE_TITLES[herald.httpStatus] ?? 'error.request.title'), message: herald.message },
        herald.httpStatus,
      );
    }
    if (herald && isUnavailable(herald)) {
      reply.header('retry-after', String(retryAfterSeconds(herald)));
      return sendPage(
        deps,
        request,
        reply,
        'error',
        { title: t('error.unavailable.title'), message: herald.message },
        503,
      );
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'page failed');
    const message = status === 500 ? t('error.internal.message') : error.message;
    return sendPage(
      deps,
      request,
      reply,
      'error',
      { title: t(status === 500 ? 'error.internal.title' : 'error.request.title'), message },
      status,
    );
  });
}
