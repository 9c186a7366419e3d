import { z } from 'zod';

/** Finds an account's settings (from configuration and decrypted secrets); undefined when not configured. */
export type AccountLookup<T> = (accountId: string) => T | undefined | Promise<T | undefined>;

/** How a credential key is named in a message, e.g. appKey -> "TWITTER_APP_KEY (channels.twitter.appKey)". */
export type KeyLabel = (key: string) => string;

export const secretString = z.string().trim().min(1);

/** Which keys are missing or wrong (names only: values are secrets and never appear in messages). */
export function credentialIssues(error: z.ZodError): string {
  return error.issues
    .map(
      (i) =>
        `${i.path.join('.') || '(credentials)'} ${i.code === 'invalid_type' ? 'is missing' : 'is invalid'}`,
    )
    .join(', ');
}

/** "label: is missing (why)" for each key of `keys` not in `have`. */
export function missingKeys(keys: string[], have: Set<string>, label: KeyLabel, why: string): string[] {
  return keys.filter((k) => !have.has(k)).map((k) => `${label(k)}: is missing (${why})`);
}

/** The values of a credentials object that are set, for redaction. */
export function setValues(...values: (string | undefined)[]): string[] {
  return values.filter((v): v is string => !!v);
}
