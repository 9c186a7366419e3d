import type { ErrorClass } from '../../domain/delivery-outcome.js';
import { saneRetryAt } from '../../domain/plain-time.js';
import { rateLimited, platformTrouble, requestRefused, platformClassifier } from '../error-classes.js';
import { platformDetail } from '../redact.js';
import { LinkedInApiError } from './api.js';
import { DEFAULT_LINKEDIN_VERSION } from './credentials.js';

const HOUR_MS = 3_600_000;

/** LinkedIn's quotas are per day and reset at midnight UTC; Retry-After, when sent, says better. */
export function linkedinRetryAt(retryAfter: string | null, now: Date): Date {
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  if (!retryAfter) return midnight;
  const seconds = Number(retryAfter);
  const at = Number.isFinite(seconds) ? new Date(now.getTime() + seconds * 1000) : new Date(retryAfter);
  return saneRetryAt(at, now, HOUR_MS);
}

function classifyApiError(error: LinkedInApiError, now: Date): ErrorClass {
  const { status, body } = error;
  const platformCode = body?.code ?? body?.serviceErrorCode ?? status;
  const detail = platformDetail(body?.message);
  if (status === 426 || body?.code === 'NONEXISTENT_VERSION') {
    return {
      kind: 'auth',
      platformCode,
      message: `LinkedIn no longer serves API version ${error.version}, which Herald asks for: set LINKEDIN_VERSION (or the account's "version" credential) to a current version as YYYYMM, e.g. ${DEFAULT_LINKEDIN_VERSION}, then check the account.`,
    };
  }
  if (status === 401) {
    return {
      kind: 'auth',
      platformCode,
      message:
        'LinkedIn no longer accepts the access token (it expired, after 60 days, or was revoked): create a new token with w_organization_social and r_organization_social, set LINKEDIN_ACCESS_TOKEN, then check the account.',
    };
  }
  if (status === 403) {
    return {
      kind: 'auth',
      platformCode,
      message: `LinkedIn refused: the token lacks w_organization_social or r_organization_social, or its member is no longer an administrator or content admin of the organization${detail ? ` (${detail})` : ''}: create a new token, then check the account.`,
    };
  }
  if (status === 429) {
    const retryAt = linkedinRetryAt(error.retryAfter, now);
    return rateLimited('LinkedIn', retryAt, now, platformCode);
  }
  if (status >= 500 || status === 408) {
    return platformTrouble('LinkedIn', `HTTP ${status}`, platformCode);
  }
  if (status === 404) {
    return {
      kind: 'permanent',
      platformCode,
      message: 'The LinkedIn post no longer exists (it may have been deleted on LinkedIn).',
    };
  }
  return requestRefused('LinkedIn rejected the request', `HTTP ${status}`, detail, platformCode);
}

/** Sorts any error from a LinkedIn call by its status, in plain words. */
export const classifyLinkedInError = platformClassifier('LinkedIn', LinkedInApiError, classifyApiError);
