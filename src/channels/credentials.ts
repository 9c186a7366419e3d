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

/** A parser of one platform's credentials: throws "<what>: <keys missing or invalid>", never values. */
export function credentialsParser<S extends z.ZodType>(
  schema: S,
  what: string,
): (record: Record<string, string | undefined>) => z.infer<S> {
  return (record) => {
    const parsed = schema.safeParse(record);
    if (!parsed.success) throw new Error(`${what}: ${credentialIssues(parsed.error)}`);
    return parsed.data;
  };
}

/** How one credential key's value is checked when it is given: a test, and what it must be. */
export interface KeyCheck {
  valid(value: string): boolean;
  problem: string;
}

/**
 * A platform's credential rules: the `required` keys missing (saying why the account titled `title` needs
 * them), then each given key whose trimmed value fails its check. Names keys, never values.
 */
export function credentialRules(
  required: string[],
  why: (title: string) => string,
  checks: Record<string, KeyCheck> = {},
): (credentials: Record<string, string>, label: KeyLabel, title: string) => string[] {
  return (credentials, label, title) => {
    const problems = missingKeys(required, new Set(Object.keys(credentials)), label, why(title));
    for (const [key, check] of Object.entries(checks)) {
      const value = credentials[key];
      if (value !== undefined && !check.valid(value.trim())) problems.push(`${label(key)}: ${check.problem}`);
    }
    return problems;
  };
}
