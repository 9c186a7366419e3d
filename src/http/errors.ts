import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isUnavailable, knownError, retryAfterSeconds } from '../app/errors.js';
import { ValidationError, type FieldErrors } from '../domain/errors.js';

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldErrors };
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  fields?: FieldErrors,
) {
  const body: ErrorBody = { error: { code, message, ...(fields ? { fields } : {}) } };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Fastify's own 4xx errors, in plain words. */
const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json', 'the request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    400,
    'malformed_json',
    'the request body is empty but its content type says JSON',
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large', 'the request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    'bad_request',
    'the Content-Length header does not match the body',
  ],
};

/** Every error becomes `{"error": {code, message, fields?}}`; only real bugs are 500s. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const herald = knownError(error);
    if (herald?.isCallerError)
      return sendError(
        reply,
        herald.httpStatus,
        herald.code,
        herald.message,
        herald instanceof ValidationError ? herald.fields : undefined,
      );
    if (herald && isUnavailable(herald)) {
      request.log.warn({ err: error.message, url: request.url }, 'refused: a service is unreachable');
      return sendError(
        reply.header('retry-after', String(retryAfterSeconds(herald))),
        503,
        'unavailable',
        herald.message,
      );
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return sendError(reply, known[0], known[1], known[2]);
    if (error instanceof SyntaxError && error.message.includes('JSON'))
      return sendError(reply, 400, 'malformed_json', 'the request body is not valid JSON');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, error.statusCode, 'bad_request', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 500, 'internal', 'something went wrong on our side; it has been logged');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'not_found', `no route for ${request.method} ${request.url.split('?')[0]}`),
  );
}
