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

/**
 * Runs one request (`run` gets the signal to pass to fetch, and reads the body) with a time limit whose timer ends
 * with it. `AbortSignal.timeout` keeps its timer for the whole limit, and fetch's abort listener keeps the request
 * and its answer reachable with it: at a hundred posts a second and 30 s limits, thousands of finished requests.
 */
export async function withTimeLimit<T>(
  timeoutMs: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    timeoutMs,
  );
  try {
    return await run(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
