import { isUnavailable, knownError } from '../app/errors.js';
import { ValidationError } from '../domain/errors.js';

/** sysexits.h EX_UNAVAILABLE: a service Herald needs (Redis, the database) cannot be reached. */
export const EXIT_UNAVAILABLE = 69;
/** A problem with what was asked or configured: one clear line, no stack. */
export const EXIT_USAGE = 2;

/** Known problems are one clear line on stderr (a list for invalid input); only bugs print a stack. */
export function reportError(error: unknown): number {
  const herald = knownError(error);
  if (herald instanceof ValidationError) {
    console.error('herald: invalid input:');
    for (const [field, problem] of Object.entries(herald.fields)) console.error(`  - ${field}: ${problem}`);
    return EXIT_USAGE;
  }
  if (herald) {
    console.error(`herald: ${herald.message}`);
    return isUnavailable(herald) ? EXIT_UNAVAILABLE : EXIT_USAGE;
  }
  console.error(error);
  return 1;
}
