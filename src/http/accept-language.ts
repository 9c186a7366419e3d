import Negotiator from 'negotiator';

/** The best of `available` for an Accept-Language header (`fr-BE` finds `fr`), or undefined when none fits. */
export function preferredLanguage(
  header: string | undefined,
  available: readonly string[],
): string | undefined {
  if (!header) return undefined;
  return new Negotiator({ headers: { 'accept-language': header } }).language([...available]);
}
