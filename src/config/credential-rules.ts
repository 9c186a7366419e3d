import type { KeyLabel } from '../channels/credentials.js';
import { PLATFORMS } from '../channels/platforms.js';
import type { AccountConfig } from '../domain/platform.js';

function unknownKeys(keys: string[], known: readonly string[], label: KeyLabel, platform: string): string[] {
  return keys
    .filter((k) => !known.includes(k))
    .map((k) => `${label(k)}: unknown ${platform} credential (known: ${known.join(', ')})`);
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
 * Every problem with a live account's credentials, naming keys (as `label` spells them) and never values:
 * unknown keys, then the platform's own rules, then its parser.
 * `hasSecretKey`: HERALD_SECRET_KEY is set (Twitter OAuth 2 needs it).
 */
export function credentialProblems(
  account: AccountConfig,
  label: KeyLabel,
  title: string,
  hasSecretKey: boolean,
): string[] {
  const credentials = account.credentials ?? {};
  const row = PLATFORMS[account.platform];
  const problems = [
    ...unknownKeys(Object.keys(credentials), row.credentialKeys, label, row.displayName),
    ...row.credentialProblems(credentials, label, title, hasSecretKey),
  ];
  return problems.length > 0 ? problems : parserProblem(() => row.parseCredentials(credentials), title);
}
