/** Field name -> human message. Keys use dotted paths, e.g. `tags.3` or `translations.fr.title`. */
export type FieldErrors = Record<string, string>;

/** Invalid input: carries every problem found, each with the field it concerns. */
export class ValidationError extends Error {
  readonly fields: FieldErrors;

  constructor(fields: FieldErrors, message?: string) {
    const list = Object.entries(fields).map(([field, problem]) => `${field}: ${problem}`);
    super(message ?? `invalid input: ${list.join('; ')}`);
    this.name = 'ValidationError';
    this.fields = fields;
  }
}

/** A request that conflicts with the current state (e.g. cancelling an item that is not scheduled). */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly code = 'conflict',
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class NotFoundError extends Error {
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
    this.name = 'NotFoundError';
  }
}

/**
 * Something the request needs (the job queue, the database) cannot be reached right now; nothing was
 * changed and the same request can simply be sent again later.
 */
export class UnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'UnavailableError';
  }
}
