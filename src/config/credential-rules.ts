import type { AccountConfig } from './schema.js';
import { facebookCredentialsFrom, twitterCredentialsFrom } from '../channels/credentials.js';

/** How a credential key is named in a message, e.g. appKey -> "TWITTER_APP_KEY (channels.twitter.appKey)". */
export type KeyLabel = (key: string) => string;

const OAUTH1 = ['appKey', 'appSecret', 'accessToken', 'accessSecret'];
const OAUTH2_REQUIRED = ['clientId', 'refreshToken'];
/** Keys that only make sense in one of the two Twitter schemes (accessToken exists in both). */
const OAUTH1_ONLY = ['appKey', 'appSecret', 'accessSecret'];
const OAUTH2_ONLY = ['clientId', 'clientSecret', 'refreshToken', 'expiresAt'];
const TWITTER_KEYS = new Set([...OAUTH1, ...OAUTH2_ONLY]);
const FACEBOOK_KEYS = new Set(['pageId', 'pageToken', 'appSecret']);

function unknownKeys(keys: string[], known: Set<string>, label: KeyLabel, platform: string): string[] {
  return keys
    .filter((k) => !known.has(k))
    .map((k) => `${label(k)}: unknown ${platform} credential (known: ${[...known].join(', ')})`);
}

function missing(keys: string[], have: Set<string>, label: KeyLabel, why: string): string[] {
  return keys.filter((k) => !have.has(k)).map((k) => `${label(k)}: is missing (${why})`);
}

function twitterProblems(keys: string[], label: KeyLabel, title: string, hasSecretKey: boolean): string[] {
  const have = new Set(keys);
  const oauth2 = OAUTH2_ONLY.some((k) => have.has(k));
  const oauth1Only = OAUTH1_ONLY.filter((k) => have.has(k));
  if (oauth2 && oauth1Only.length > 0) {
    return [
      `${title}: give either OAuth 1.0a keys (appKey, appSecret, accessToken, accessSecret) or OAuth 2 (clientId, clientSecret, refreshToken), not both: ${oauth1Only.map(label).join(', ')} must go`,
    ];
  }
  if (!oauth2) return missing(OAUTH1, have, label, `${title} uses OAuth 1.0a, which needs appKey, appSecret, accessToken and accessSecret`);
  const problems = missing(OAUTH2_REQUIRED, have, label, `${title} uses OAuth 2, which needs clientId and refreshToken`);
  if (!hasSecretKey) {
    problems.push(
      `HERALD_SECRET_KEY (secretKey): is required by ${title}, which uses OAuth 2 (its rotating refresh token is stored encrypted)`,
    );
  }
  return problems;
}

/** Runs the adapter's own parser too; its messages name keys only. */
function parserProblem(parse: () => unknown, title: string): string[] {
  try {
    parse();
    return [];
  } catch (error) {
    return [`${title}: ${(error as Error).message}`];
  }
}

/**
 * Every problem with a live account's credentials, naming keys (as `label` spells them) and never values.
 * `hasSecretKey`: HERALD_SECRET_KEY is set (OAuth 2 needs it).
 */
export function credentialProblems(account: AccountConfig, label: KeyLabel, title: string, hasSecretKey: boolean): string[] {
  const credentials = account.credentials ?? {};
  const keys = Object.keys(credentials);
  if (account.platform === 'twitter') {
    const problems = [...unknownKeys(keys, TWITTER_KEYS, label, 'Twitter'), ...twitterProblems(keys, label, title, hasSecretKey)];
    return problems.length > 0 ? problems : parserProblem(() => twitterCredentialsFrom(credentials), title);
  }
  const problems = [
    ...unknownKeys(keys, FACEBOOK_KEYS, label, 'Facebook'),
    ...missing(['pageId', 'pageToken'], new Set(keys), label, `${title} needs the Page id and a Page access token`),
  ];
  if (credentials.pageId !== undefined && !/^\d+$/.test(credentials.pageId.trim())) {
    problems.push(`${label('pageId')}: must be the numeric Page id`);
  }
  return problems.length > 0 ? problems : parserProblem(() => facebookCredentialsFrom(credentials), title);
}
