import type { z } from 'zod';
import type { FieldErrors } from './errors.js';

/** Flattens zod issues into one message per field (the first problem found for each field). */
export function fieldErrorsFromZod(error: z.ZodError, prefix = ''): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key].join('.');
        fields[prefix + path] ??= 'unknown field';
      }
      continue;
    }
    const path = issue.path.join('.') || '(body)';
    fields[prefix + path] ??= issue.message;
  }
  return fields;
}
