import { z } from 'zod';
import { credentialRules, credentialsParser, secretString as secret, setValues } from '../credentials.js';

export interface FacebookPageCredentials {
  pageId: string;
  pageToken: string;
  /** When set, every call carries `appsecret_proof` (recommended by Facebook for server calls). */
  appSecret?: string | undefined;
}

const NUMERIC = /^\d+$/;

const facebook = z.object({
  pageId: z.string().regex(NUMERIC, 'must be the numeric Page id'),
  pageToken: secret,
  appSecret: secret.optional(),
});

export const FACEBOOK_CREDENTIAL_KEYS = ['pageId', 'pageToken', 'appSecret'];

export const facebookCredentialsFrom: (
  record: Record<string, string | undefined>,
) => FacebookPageCredentials = credentialsParser(facebook, 'Facebook Page credentials');

/** Every secret value, for redaction. */
export function facebookSecretValues(credentials: FacebookPageCredentials): string[] {
  return setValues(credentials.pageToken, credentials.appSecret);
}

export const facebookCredentialProblems = credentialRules(
  ['pageId', 'pageToken'],
  (title) => `${title} needs the Page id and a Page access token`,
  { pageId: { valid: (v) => NUMERIC.test(v), problem: 'must be the numeric Page id' } },
);
