import { z } from 'zod';
import {
  credentialIssues,
  missingKeys,
  secretString as secret,
  setValues,
  type KeyLabel,
} from '../credentials.js';

export interface FacebookPageCredentials {
  pageId: string;
  pageToken: string;
  /** When set, every call carries `appsecret_proof` (recommended by Facebook for server calls). */
  appSecret?: string | undefined;
}

const facebook = z.object({
  pageId: z.string().regex(/^\d+$/, 'must be the numeric Page id'),
  pageToken: secret,
  appSecret: secret.optional(),
});

export const FACEBOOK_CREDENTIAL_KEYS = ['pageId', 'pageToken', 'appSecret'];

export function facebookCredentialsFrom(record: Record<string, string | undefined>): FacebookPageCredentials {
  const parsed = facebook.safeParse(record);
  if (!parsed.success) throw new Error(`Facebook Page credentials: ${credentialIssues(parsed.error)}`);
  return parsed.data;
}

/** Every secret value, for redaction. */
export function facebookSecretValues(credentials: FacebookPageCredentials): string[] {
  return setValues(credentials.pageToken, credentials.appSecret);
}

export function facebookCredentialProblems(
  credentials: Record<string, string>,
  label: KeyLabel,
  title: string,
): string[] {
  const problems = missingKeys(
    ['pageId', 'pageToken'],
    new Set(Object.keys(credentials)),
    label,
    `${title} needs the Page id and a Page access token`,
  );
  if (credentials.pageId !== undefined && !/^\d+$/.test(credentials.pageId.trim()))
    problems.push(`${label('pageId')}: must be the numeric Page id`);
  return problems;
}
