// Helpers to recognise, among posts already on an account, the one a delivery made.

/** A URL in a comparable form: no fragment, no trailing slash, lower-case host. Unparseable input as is. */
export function comparableUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    u.hash = '';
    if (u.pathname.length > 1) u.pathname = u.pathname.replace(/\/+$/, '');
    return u.href.replace(/\/$/, '');
  } catch {
    return url.trim();
  }
}

export function sameUrl(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && comparableUrl(a) === comparableUrl(b);
}

/** Text in a comparable form: NFC, whitespace runs as one space, trimmed. */
export function comparableText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** Twitter returns `&`, `<` and `>` as HTML entities in tweet text. */
export function decodeTwitterEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Lower bound for "posted by this delivery": a little before it was created (clocks differ). */
export function postedSince(createdAt: string, now: Date, slackMs = 10 * 60_000): Date {
  const created = Date.parse(createdAt);
  return new Date((Number.isNaN(created) ? now.getTime() - 7 * 86_400_000 : created) - slackMs);
}
