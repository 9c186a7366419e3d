import { platformDetail } from './redact.js';
import type { ErrorClass } from '../domain/delivery-outcome.js';

/** The request never left: certainly nothing was posted. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** The connection broke after the request may have been sent: the outcome is unknown. */
const BROKEN_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function codeOf(error: unknown): string | undefined {
  for (
    let e: unknown = error, depth = 0;
    e && typeof e === 'object' && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown } | null;
  return (
    e?.name === 'TimeoutError' || (typeof e?.message === 'string' && /timeout|timed out/i.test(e.message))
  );
}

/**
 * Network failures (timeouts, resets, refused connections) are transient. Anything else unexpected is also
 * treated as transient (retries are bounded); callers redact the message with the account's secrets.
 */
export function networkProblem(platform: string, error: unknown): ErrorClass {
  const code = codeOf(error);
  if (isTimeout(error) || code?.includes('TIMEOUT')) {
    return {
      kind: 'transient',
      platformCode: 'timeout',
      message: `${platform} did not answer in time (the post may or may not have gone out): will check and try again.`,
    };
  }
  if (code && UNREACHABLE_CODES.has(code)) {
    return {
      kind: 'transient',
      platformCode: code,
      message: `Could not reach ${platform} (${code}): will try again.`,
    };
  }
  if (code && BROKEN_CODES.has(code)) {
    return {
      kind: 'transient',
      platformCode: code,
      message: `The connection to ${platform} broke (${code}) before its answer arrived (the post may or may not have gone out): will check and try again.`,
    };
  }
  const detail = platformDetail((error as { message?: unknown } | null)?.message);
  return {
    kind: 'transient',
    platformCode: code ?? 'unexpected',
    message: `Unexpected error while talking to ${platform}${detail ? ` (${detail})` : ''}: will try again.`,
  };
}
