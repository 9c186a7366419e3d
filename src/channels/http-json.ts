/** An API address: `base` and `path` joined by one slash, with `query` set. */
export function apiAddress(base: string, path: string, query: Record<string, string> = {}): URL {
  const url = new URL(`${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url;
}

/** An answer's body as JSON; null when it is empty or no JSON (an HTML error page from a proxy, for instance). */
export async function jsonBodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
