import type { ErrorClass } from '../../domain/delivery-outcome.js';
import type { UsageHeaders } from './graph.js';
import { FacebookApiError } from './graph.js';
import { rateLimited, platformTrouble, requestRefused, platformClassifier } from '../error-classes.js';
import { platformDetail } from '../redact.js';
import { plainDate, saneRetryAt } from '../../domain/plain-time.js';

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
const isBusinessUseCaseLimit = (code: number) => code >= 80000 && code <= 80014;
/** App and Page usage are counted over a rolling hour: at 100 %, wait a good part of it. */
const FULL_USAGE_WAIT_MS = 30 * 60_000;
const DEFAULT_RATE_LIMIT_WAIT_MS = 10 * 60_000;

function parseJson(header: string | null): unknown {
  if (!header) return null;
  try {
    return JSON.parse(header);
  } catch {
    return null;
  }
}

/** Minutes Facebook says until access returns (`estimated_time_to_regain_access` anywhere in the usage headers). */
function minutesToRegainAccess(usage: UsageHeaders): number {
  const entries: unknown[] = [];
  const buc = parseJson(usage.businessUseCase);
  if (buc && typeof buc === 'object')
    for (const list of Object.values(buc)) if (Array.isArray(list)) entries.push(...list);
  entries.push(parseJson(usage.page));
  const minutes = entries.map((e) =>
    Number((e as { estimated_time_to_regain_access?: unknown } | null)?.estimated_time_to_regain_access ?? 0),
  );
  return Math.max(0, ...minutes.filter(Number.isFinite));
}

/** Highest percentage in X-App-Usage / X-Page-Usage ({call_count, total_cputime, total_time}). */
function highestUsage(usage: UsageHeaders): number {
  const values = [parseJson(usage.app), parseJson(usage.page)].flatMap((u) =>
    u && typeof u === 'object'
      ? ['call_count', 'total_cputime', 'total_time'].map((k) =>
          Number((u as Record<string, unknown>)[k] ?? 0),
        )
      : [],
  );
  return Math.max(0, ...values.filter(Number.isFinite));
}

export function facebookRetryAt(usage: UsageHeaders, now: Date): Date {
  const minutes = minutesToRegainAccess(usage);
  if (minutes > 0)
    return saneRetryAt(new Date(now.getTime() + minutes * 60_000), now, DEFAULT_RATE_LIMIT_WAIT_MS);
  const wait = highestUsage(usage) >= 100 ? FULL_USAGE_WAIT_MS : DEFAULT_RATE_LIMIT_WAIT_MS;
  return new Date(now.getTime() + wait);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "Session has expired on Tuesday, 03-Dec-24 14:00:00 PST" -> "on 3 December 2024", else "". */
function expiryIn(message: string | undefined): string {
  const m = /expired on \w+, (\d{1,2})-(\w{3})-(\d{2})/i.exec(message ?? '');
  const month = m ? MONTHS.indexOf(m[2]!.toLowerCase()) : -1;
  if (!m || month < 0) return '';
  return ` on ${plainDate(new Date(Date.UTC(2000 + Number(m[3]), month, Number(m[1]))))}`;
}

function tokenProblem(subcode: number | undefined, message: string | undefined): string {
  switch (subcode) {
    case 458:
      return 'Herald was removed from the Facebook account that connected the Page: reconnect the Page.';
    case 459:
      return 'The Facebook account that connected the Page must log in to facebook.com to pass a security check, then reconnect the Page.';
    case 460:
      return 'The password of the Facebook account that connected the Page was changed: reconnect the Page.';
    case 463:
      return `The Facebook Page token expired${expiryIn(message)}: reconnect the Page.`;
    case 464:
      return 'The Facebook account that connected the Page is not confirmed: confirm it on facebook.com, then reconnect the Page.';
    case 467:
      return 'The Facebook Page token is no longer valid (the account logged out or access was revoked): reconnect the Page.';
    case 492:
      return 'The Facebook account that connected the Page no longer has a role on it: reconnect the Page with an account that can post.';
    default:
      return 'The Facebook Page token is invalid or expired: reconnect the Page.';
  }
}

function classifyGraphError(error: FacebookApiError, now: Date): ErrorClass {
  const body = error.graphError;
  if (!body || body.code === undefined) {
    if (error.status === 429) {
      const retryAt = facebookRetryAt(error.usage, now);
      return rateLimited('Facebook', retryAt, now, 429);
    }
    if (error.status >= 500 || error.status === 408) {
      return platformTrouble('Facebook', `HTTP ${error.status}`, error.status);
    }
    return {
      kind: 'permanent',
      platformCode: error.status,
      message: `Facebook refused the request (HTTP ${error.status}).`,
    };
  }
  const code = body.code;
  const subcode = body.error_subcode;
  const platformCode = subcode ? `${code}/${subcode}` : code;
  const detail = platformDetail(body.error_user_msg ?? body.message);
  // Before is_transient: Facebook marks throttling transient too, but it needs a wait, not a quick retry.
  if (RATE_LIMIT_CODES.has(code) || isBusinessUseCaseLimit(code)) {
    const retryAt = facebookRetryAt(error.usage, now);
    return rateLimited('Facebook', retryAt, now, platformCode);
  }
  if (code === 1 || code === 2 || body.is_transient) {
    return {
      kind: 'transient',
      platformCode,
      message: `Facebook had a temporary problem (code ${code}): will try again.`,
    };
  }
  if (code === 190) return { kind: 'auth', platformCode, message: tokenProblem(subcode, body.message) };
  if (code === 10 || (code >= 200 && code <= 299)) {
    return {
      kind: 'auth',
      platformCode,
      message:
        'Facebook refused: the Page connection lacks a permission Herald needs (pages_manage_posts and pages_read_engagement, by someone who can create content on the Page): reconnect the Page and grant them.',
    };
  }
  if (code === 368) {
    return {
      kind: 'permanent',
      platformCode,
      message:
        "Facebook has temporarily blocked this Page from posting (it judged the activity abusive or spammy): check the Page's notifications before trying again.",
    };
  }
  if (code === 506)
    return {
      kind: 'permanent',
      platformCode,
      message: 'Facebook rejected the post as a duplicate of a recent one.',
    };
  if (code === 1609005) {
    return {
      kind: 'permanent',
      platformCode,
      message:
        "Facebook could not use the item's link (error 1609005): check that the URL is public and opens, then try again.",
    };
  }
  if (code === 100 && subcode === 33) {
    return {
      kind: 'permanent',
      platformCode,
      message: 'The Facebook post no longer exists (it may have been deleted on Facebook).',
    };
  }
  if (error.status >= 500) return platformTrouble('Facebook', `code ${code}`, platformCode);
  return requestRefused('Facebook rejected the request', `code ${code}`, detail, platformCode);
}

/** Sorts any error from a Graph call by Facebook's error code (not the HTTP status), in plain words. */
export const classifyFacebookError = platformClassifier('Facebook', FacebookApiError, classifyGraphError);
