import { HeraldError } from '../../domain/errors.js';
import { apiAddress, jsonBodyOf, withTimeLimit } from '../http-json.js';

export const DEFAULT_LINKEDIN_API_URL = 'https://api.linkedin.com';

/** What LinkedIn's error answers carry ({status, code, serviceErrorCode, message}). */
export interface LinkedInErrorBody {
  status?: number;
  code?: string;
  serviceErrorCode?: number;
  message?: string;
}

/**
 * A failed LinkedIn call. Holds only what is safe to keep: the status, LinkedIn's error body, Retry-After
 * and the version asked for; never the request (its headers carry the token).
 */
export class LinkedInApiError extends HeraldError {
  constructor(
    readonly status: number,
    readonly body: LinkedInErrorBody | null,
    readonly retryAfter: string | null,
    readonly version: string,
  ) {
    super(`LinkedIn API error (HTTP ${status}${body?.code ? `, ${body.code}` : ''})`, {
      code: 'linkedin_api_error',
      httpStatus: 502,
    });
  }
}

export interface LinkedInConnection {
  /** e.g. https://api.linkedin.com (the paths add /rest/...). */
  apiUrl: string;
  accessToken: string;
  /** LinkedIn-Version, YYYYMM. */
  version: string;
  timeoutMs: number;
}

export interface LinkedInAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface LinkedInRequest {
  query?: Record<string, string>;
  body?: unknown;
  /** X-RestLi-Method: FINDER, PARTIAL_UPDATE, DELETE, ... */
  restliMethod?: string;
}

/** The address of a post (or any URN) as a path segment of /rest/posts. */
export const urnPath = (urn: string) => encodeURIComponent(urn);

/** One call to LinkedIn's versioned REST API (Rest.li 2.0.0), JSON in and out; errors as LinkedInApiError. */
export async function linkedinRequest<T>(
  connection: LinkedInConnection,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  request: LinkedInRequest = {},
): Promise<LinkedInAnswer<T>> {
  const url = apiAddress(connection.apiUrl, path, request.query);
  const headers: Record<string, string> = {
    authorization: `Bearer ${connection.accessToken}`,
    'linkedin-version': connection.version,
    'x-restli-protocol-version': '2.0.0',
  };
  if (request.restliMethod) headers['x-restli-method'] = request.restliMethod;
  const init: RequestInit = { method, headers };
  if (request.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(request.body);
  }
  const { response, body } = await withTimeLimit(connection.timeoutMs, async (signal) => {
    const answer = await fetch(url, { ...init, signal });
    return { response: answer, body: await answerOf(answer, connection.version) };
  });
  return { status: response.status, headers: response.headers, body: body as T };
}

/** Uploads bytes to the address the Images API handed out (a PUT with the same token). */
export async function uploadBytes(
  connection: LinkedInConnection,
  uploadUrl: string,
  bytes: Buffer,
  type: string,
): Promise<void> {
  await withTimeLimit(connection.timeoutMs, async (signal) => {
    const response = await fetch(uploadUrl, {
      method: 'PUT',
      headers: { authorization: `Bearer ${connection.accessToken}`, 'content-type': type },
      body: bytes,
      signal,
    });
    await answerOf(response, connection.version);
  });
}

/** The JSON body of a successful answer; a LinkedInApiError for any other. */
async function answerOf(response: Response, version: string): Promise<unknown> {
  const body = await jsonBodyOf(response);
  if (response.ok) return body;
  const error = body && typeof body === 'object' ? (body as LinkedInErrorBody) : null;
  throw new LinkedInApiError(response.status, error, response.headers.get('retry-after'), version);
}
