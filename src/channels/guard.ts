import type { ErrorClass } from '../domain/delivery-outcome.js';
import { ClaimLostError } from '../domain/errors.js';
import { ChannelError } from './adapter.js';
import type { AccountLookup } from './credentials.js';
import { redact } from './redact.js';

/**
 * Runs one adapter operation so that every failure leaves as a classified ChannelError whose message holds none
 * of `secrets()` (library errors carry the request, whose headers hold the tokens). A lost claim is no failure
 * of the platform's and passes on untouched.
 */
export async function withChannelErrors<T>(
  classify: (error: unknown) => ErrorClass,
  secrets: () => readonly string[],
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ClaimLostError) throw error;
    const c = classify(error);
    throw new ChannelError({ ...c, message: redact(c.message, secrets()) });
  }
}

/** An account's settings; an `auth` ChannelError ("No <what> configured for the account …") when it has none. */
export async function configuredAccount<T>(
  accounts: AccountLookup<T>,
  accountId: string,
  what: string,
): Promise<T> {
  const settings = await accounts(accountId);
  if (settings) return settings;
  throw new ChannelError({
    kind: 'auth',
    platformCode: 'not_configured',
    message: `No ${what} configured for the account "${accountId}".`,
  });
}
