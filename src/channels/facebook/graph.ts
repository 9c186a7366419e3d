import { createHmac } from 'node:crypto';
import { HeraldError } from '../../domain/errors.js';
import { apiAddress, jsonBodyOf, withTimeLimit } from '../http-json.js';

export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com/v26.0';

/** The `error` object of a Graph API error response. */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  is_transient?: boolean;
  fbtrace_id?: string;
}

/** Facebook's usage headers (JSON strings), kept to compute when a rate limit ends. */
export interface UsageHeaders {
  businessUseCase: string | null;
  app: string | null;
  page: string | null;
}

/**
 * A failed Graph call. Holds only what is safe to keep: status, Facebook's error object and usage headers,
 * never the request (its URL or body carries the Page token).
 */
export class FacebookApiError extends HeraldError {
  constructor(
    readonly status: number,
    readonly graphError: GraphErrorBody | null,
    readonly usage: UsageHeaders,
  ) {
    super(
      `Facebook Graph API error (HTTP ${status}${graphError?.code !== undefined ? `, code ${graphError.code}` : ''})`,
      { code: 'facebook_api_error', httpStatus: 502 },
    );
  }
}

export interface GraphConnection {
  /** Base URL including the version, e.g. https://graph.facebook.com/v26.0 */
  graphUrl: string;
  pageToken: string;
  appSecret?: string | undefined;
  timeoutMs: number;
}

function usageOf(headers: Headers): UsageHeaders {
  return {
    businessUseCase: headers.get('x-business-use-case-usage'),
    app: headers.get('x-app-usage'),
    page: headers.get('x-page-usage'),
  };
}

function authParams(connection: GraphConnection): Record<string, string> {
  const params: Record<string, string> = { access_token: connection.pageToken };
  if (connection.appSecret)
    params.appsecret_proof = createHmac('sha256', connection.appSecret)
      .update(connection.pageToken)
      .digest('hex');
  return params;
}

/** One Graph API call: form-encoded POST, query-string GET/DELETE, JSON answer; errors as FacebookApiError. */
export async function graphRequest<T>(
  connection: GraphConnection,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, string> = {},
): Promise<T> {
  const url = apiAddress(connection.graphUrl, path);
  const all = { ...params, ...authParams(connection) };
  const init: RequestInit = { method };
  if (method === 'POST') {
    init.body = new URLSearchParams(all);
  } else {
    for (const [key, value] of Object.entries(all)) url.searchParams.set(key, value);
  }
  const { response, body } = await withTimeLimit(connection.timeoutMs, async (signal) => {
    const answer = await fetch(url, { ...init, signal });
    return { response: answer, body: await jsonBodyOf(answer) };
  });
  const graphError = (body as { error?: GraphErrorBody } | null)?.error ?? null;
  if (!response.ok || graphError)
    throw new FacebookApiError(response.status, graphError, usageOf(response.headers));
  return body as T;
}
