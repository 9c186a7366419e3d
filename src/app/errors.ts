import { ZodError } from 'zod';
import { HeraldError, UnavailableError, ValidationError } from '../domain/errors.js';
import { fieldErrorsFromZod } from '../domain/zod-errors.js';
import { isDatabaseUnavailable } from '../store/db.js';

/**
 * The error as Herald words it, for the API, the pages and the CLI alike: Herald's own errors as they
 * are, invalid input parsed by zod as a ValidationError, an unreachable database as an UnavailableError.
 * Null for anything else: a bug, to be logged with its stack.
 */
export function knownError(error: unknown): HeraldError | null {
  // A migration (or anything wrapping its cause) that failed because the database is down says so.
  const databaseDown =
    isDatabaseUnavailable(error) || (error instanceof HeraldError && isDatabaseUnavailable(error.cause));
  if (databaseDown && !(error instanceof UnavailableError))
    return new UnavailableError('the database cannot be reached right now; try again in a moment');
  if (error instanceof HeraldError) return error;
  if (error instanceof ZodError)
    return new ValidationError(fieldErrorsFromZod(error), 'the request has invalid fields');
  return null;
}

/** A service the request needs is unreachable (503): nothing changed, the same request can be sent again. */
export function isUnavailable(error: HeraldError): boolean {
  return error.httpStatus === 503;
}

/** Seconds to wait before trying again, for a Retry-After header. */
export function retryAfterSeconds(error: HeraldError): number {
  return error instanceof UnavailableError ? error.retryAfterSeconds : 5;
}
