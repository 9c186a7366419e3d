import type { ErrorClassKind } from './delivery-outcome.js';

export interface HeraldErrorOptions {
  /** Stable, for programs (API answers, logs): snake_case, never reworded. */
  code: string;
  /** The HTTP status a request failing with it gets; 500 when it is not the caller's doing. */
  httpStatus?: number | undefined;
  /** How a delivery attempt failing with it is treated, where that applies. */
  errorClass?: ErrorClassKind | undefined;
  cause?: unknown;
}

/**
 * Every error Herald throws on purpose: a stable `code`, an HTTP status and plain words (`message`) for
 * people. The API (src/http/errors.ts), the pages and the CLI render it from these fields.
 */
export class HeraldError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly errorClass: ErrorClassKind | undefined;

  constructor(message: string, options: HeraldErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.httpStatus = options.httpStatus ?? 500;
    this.errorClass = options.errorClass;
  }

  /** The request's own fault (4xx): its message is safe and useful to show as it is. */
  get isCallerError(): boolean {
    return this.httpStatus >= 400 && this.httpStatus < 500;
  }
}

/** Field name -> human message. Keys use dotted paths, e.g. `tags.3` or `translations.fr.title`. */
export type FieldErrors = Record<string, string>;

/** Invalid input: carries every problem found, each with the field it concerns. */
export class ValidationError extends HeraldError {
  readonly fields: FieldErrors;

  constructor(fields: FieldErrors, message?: string) {
    const list = Object.entries(fields).map(([field, problem]) => `${field}: ${problem}`);
    super(message ?? `invalid input: ${list.join('; ')}`, { code: 'invalid_input', httpStatus: 400 });
    this.fields = fields;
  }
}

/** A request that conflicts with the current state (e.g. cancelling an item that is not scheduled). */
export class ConflictError extends HeraldError {
  constructor(message: string, code = 'conflict') {
    super(message, { code, httpStatus: 409 });
  }
}

/**
 * This attempt no longer owns its delivery: another worker took it over (this one was frozen or cut off from
 * Redis past its job lock). Nothing more may be done for it; adapters pass it on untouched.
 */
export class ClaimLostError extends HeraldError {
  constructor(deliveryId: string) {
    super(`delivery ${deliveryId} was taken over by another worker`, { code: 'claim_lost', httpStatus: 409 });
  }
}

export class NotFoundError extends HeraldError {
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`, { code: 'not_found', httpStatus: 404 });
  }
}

/**
 * Something the request needs (the job queue, the database) cannot be reached right now; nothing was
 * changed and the same request can simply be sent again later.
 */
export class UnavailableError extends HeraldError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message, { code: 'unavailable', httpStatus: 503, errorClass: 'transient' });
  }
}
