import { apiAddress, jsonBodyOf } from '../http-json.js';
import { ConnectError } from './oauth.js';

/** GET `path` on `base` with a bearer token; the JSON answer, or a ConnectError naming the platform. */
export async function getWithToken(
  base: string,
  path: string,
  accessToken: string,
  what: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(apiAddress(base, path), {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    signal: AbortSignal.timeout(15_000),
  });
  const body = await jsonBodyOf(response);
  if (!response.ok || typeof body !== 'object' || body === null)
    throw new ConnectError(
      `${what} did not say which account was connected (HTTP ${response.status}). Nothing was stored.`,
    );
  return body as Record<string, unknown>;
}

/** An account id Herald can use: lowercase letters, digits, - and _, 64 at most. */
export function accountIdFor(platform: string, ...parts: string[]): string {
  const slug = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${platform}-${slug}`.slice(0, 64);
}
