import { z } from 'zod';
import { credentialRules, credentialsParser, secretString as secret, setValues } from '../credentials.js';

/** A LinkedIn-Version LinkedIn still serves; versions are sunset about a year after release. */
export const DEFAULT_LINKEDIN_VERSION = '202610';

export interface LinkedInCredentials {
  /** The numeric id of the organisation (company page), as in urn:li:organization:{id}. */
  organizationId: string;
  accessToken: string;
  /** LinkedIn-Version header, YYYYMM. */
  version: string;
  /** When the access token expires (LinkedIn tokens last 60 days), when known. */
  tokenExpiresAt: Date | null;
}

const YEAR_MONTH = /^20\d\d(0[1-9]|1[0-2])$/;
const NUMERIC = /^\d+$/;

const linkedin = z.object({
  organizationId: z.string().trim().regex(NUMERIC, 'must be the numeric organization id'),
  accessToken: secret,
  version: z.string().trim().regex(YEAR_MONTH, 'must be a year and month, YYYYMM').optional(),
  tokenExpiresAt: z
    .string()
    .trim()
    .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date, e.g. 2027-02-05')
    .optional(),
});

export const LINKEDIN_CREDENTIAL_KEYS = ['organizationId', 'accessToken', 'version', 'tokenExpiresAt'];

const parseLinkedIn = credentialsParser(linkedin, 'LinkedIn credentials');

export function linkedinCredentialsFrom(record: Record<string, string | undefined>): LinkedInCredentials {
  const { organizationId, accessToken, version, tokenExpiresAt } = parseLinkedIn(record);
  return {
    organizationId,
    accessToken,
    version: version ?? DEFAULT_LINKEDIN_VERSION,
    tokenExpiresAt: tokenExpiresAt ? new Date(Date.parse(tokenExpiresAt)) : null,
  };
}

/** Every secret value, for redaction. */
export function linkedinSecretValues(credentials: LinkedInCredentials): string[] {
  return setValues(credentials.accessToken);
}

export const linkedinCredentialProblems = credentialRules(
  ['organizationId', 'accessToken'],
  (title) => `${title} needs the organization id and an access token with w_organization_social`,
  {
    organizationId: { valid: (v) => NUMERIC.test(v), problem: 'must be the numeric organization id' },
    version: {
      valid: (v) => YEAR_MONTH.test(v),
      problem: `must be a LinkedIn API version as YYYYMM, e.g. ${DEFAULT_LINKEDIN_VERSION}`,
    },
    tokenExpiresAt: {
      valid: (v) => !Number.isNaN(Date.parse(v)),
      problem: 'must be a date, e.g. 2027-02-05',
    },
  },
);
