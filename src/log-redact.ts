/**
 * URLs as logs may keep them. The `/u/`, `/p/` and `/w/` links carry recipients' signed tokens, which
 * never expire, and a query string may carry any key: the token part of those paths and every query value
 * are replaced, wherever a URL is logged (fastify's request lines, `url` fields).
 */
const REDACTED = '[redacted]';
/** First path segments whose remainder is a token (newsletter unsubscribe, preferences, web version). */
const TOKEN_PATHS = new Set(['u', 'p', 'w']);

export function redactUrl(url: string): string {
  const withoutFragment = url.split('#')[0]!;
  const q = withoutFragment.indexOf('?');
  const full = q === -1 ? withoutFragment : withoutFragment.slice(0, q);
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(full)?.[0] ?? '';
  const query = q === -1 ? '' : `?${redactQuery(withoutFragment.slice(q + 1))}`;
  return origin + redactPath(full.slice(origin.length)) + query;
}

function redactPath(path: string): string {
  const match = /^(\/+)([^/]*)\/(.+)$/.exec(path);
  if (!match) return path;
  return TOKEN_PATHS.has(decoded(match[2]!).toLowerCase()) ? `${match[1]}${match[2]}/${REDACTED}` : path;
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq === -1 ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join('&');
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** pino serializers: fastify's request line and any `url` field. */
export const URL_SERIALIZERS = {
  req: (req: { method?: string; url?: string; host?: string; ip?: string }) => ({
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
  }),
  url: (value: unknown) => (typeof value === 'string' ? redactUrl(value) : value),
};
