import type { KeyLabel } from '../channels/credentials.js';
import { DEFAULT_ACCOUNTS, PLATFORMS } from '../channels/platforms.js';
import { PLATFORM_IDS, type AccountConfig, type PlatformId } from '../domain/platform.js';
import type { HeraldConfig } from './schema.js';
import { ConfigError } from './load.js';
import { envNameFor } from './social.js';
import { readSecretsFile, type SecretsFile } from './secrets-file.js';
import { credentialProblems } from './credential-rules.js';

export interface ResolvedAccounts {
  accounts: AccountConfig[];
  /** Things worth a warning at start-up (never containing a secret). */
  notes: string[];
}

interface Candidate {
  config: AccountConfig;
  /** How a credential key is named in messages (env variable, file path). */
  label: KeyLabel;
  /** "the Twitter account "x"" */
  title: string;
}

function defined(record: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}

/** `channels.twitter` / `channels.facebook` (TWITTER_*, FACEBOOK_*): the default account's credentials. */
function defaultCredentials(config: HeraldConfig, platform: PlatformId): Record<string, string> {
  const { apiUrl: _apiUrl, ...credentials } = config.channels[platform] ?? {};
  return defined(credentials);
}

const envLabel =
  (platform: PlatformId): KeyLabel =>
  (key) => {
    const env = envNameFor(platform, key);
    return env ? `${env} (channels.${platform}.${key})` : `channels.${platform}.${key}`;
  };

/** The default accounts (`twitter`, `facebook`) with the credentials of `channels.twitter` / `channels.facebook`. */
function defaultCandidates(config: HeraldConfig): Candidate[] {
  const shown = (platform: PlatformId) =>
    PLATFORMS[platform].dryRunByDefault !== false ||
    Object.keys(defaultCredentials(config, platform)).length > 0;
  return DEFAULT_ACCOUNTS.filter((account) => shown(account.platform)).map((account) => {
    const apiUrl = config.channels[account.platform]?.apiUrl;
    return {
      config: {
        ...account,
        credentials: defaultCredentials(config, account.platform),
        ...(apiUrl ? { apiUrl } : {}),
      },
      label: envLabel(account.platform),
      title: `the ${PLATFORMS[account.platform].displayName} account "${account.id}"`,
    };
  });
}

/** The account named like its platform (`twitter`, `facebook`) without credentials of its own takes the default ones. */
const takesDefaults = (account: AccountConfig) =>
  account.id === account.platform && Object.keys(defined(account.credentials)).length === 0;

/** Accounts listed in the file; a platform's `channels.<platform>.apiUrl` is the default address. */
function fileCandidates(config: HeraldConfig, accounts: AccountConfig[]): Candidate[] {
  return accounts.map((account, index) => {
    const apiUrl = account.apiUrl ?? config.channels[account.platform]?.apiUrl;
    const defaults = takesDefaults(account);
    return {
      config: {
        ...account,
        // Several accounts of one platform need telling apart wherever their name is shown.
        name:
          account.name ??
          (account.id === account.platform
            ? undefined
            : `${PLATFORMS[account.platform].displayName} (${account.id})`),
        credentials: defaults ? defaultCredentials(config, account.platform) : defined(account.credentials),
        ...(apiUrl ? { apiUrl } : {}),
      },
      label: defaults ? envLabel(account.platform) : (key) => `channels.accounts.${index}.credentials.${key}`,
      title: `the ${PLATFORMS[account.platform].displayName} account "${account.id}"`,
    };
  });
}

/** Default credentials set while no account takes them nor refers to them (as ${NAME}). */
function unusedDefaultCredentials(config: HeraldConfig, accounts: AccountConfig[]): string[] {
  const used = new Set(accounts.flatMap((a) => Object.values(a.credentials ?? {})));
  return PLATFORM_IDS.flatMap((platform) => {
    if (accounts.some((a) => a.platform === platform && takesDefaults(a))) return [];
    return Object.entries(defaultCredentials(config, platform))
      .filter(([, value]) => !used.has(value))
      .map(([key]) => envNameFor(platform, key) ?? `channels.${platform}.${key}`);
  });
}

function duplicateIds(accounts: AccountConfig[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  accounts.forEach((a, i) => {
    if (seen.has(a.id)) problems.push(`channels.accounts.${i}.id: "${a.id}" is used by an earlier account`);
    seen.add(a.id);
  });
  return problems;
}

/** Adds the secrets file's credentials to the accounts it names (the file wins); unknown ids are problems. */
function applySecrets(candidates: Candidate[], secrets: SecretsFile): string[] {
  const problems: string[] = [];
  for (const [id, credentials] of secrets.accounts) {
    const candidate = candidates.find((c) => c.config.id === id);
    if (!candidate) {
      problems.push(
        `${secrets.file}: account "${id}" is not configured (accounts: ${candidates.map((c) => c.config.id).join(', ')})`,
      );
      continue;
    }
    candidate.config.credentials = { ...candidate.config.credentials, ...credentials };
    const base = candidate.label;
    candidate.label = (key) =>
      key in credentials ? `${secrets.file}: ${id}.${key}` : `${base(key)} or ${secrets.file}: ${id}.${key}`;
  }
  return problems;
}

function unusedNote(config: HeraldConfig, listed: AccountConfig[]): string[] {
  const unused = unusedDefaultCredentials(config, listed);
  if (unused.length === 0) return [];
  return [
    `${unused.join(', ')} ignored: the configuration file lists the accounts, and none is named ${PLATFORM_IDS.map((id) => `"${id}"`).join('/')} without credentials of its own (or refer to a variable in an account's credentials as \${NAME})`,
  ];
}

/**
 * The channel accounts, validated: those listed in `channels.accounts`, or else one per platform (`twitter`,
 * `facebook`) whose credentials come from the environment (TWITTER_*, FACEBOOK_*) or `channels.<platform>`.
 * The secrets file adds credentials by account id. Accounts with credentials are live, the others dry-run.
 * Throws ConfigError naming every missing or wrong key (never a value).
 */
export function resolveAccounts(config: HeraldConfig, cwd = process.cwd()): ResolvedAccounts {
  const listed = config.channels.accounts?.length ? config.channels.accounts : null;
  const candidates = listed ? fileCandidates(config, listed) : defaultCandidates(config);
  const problems = listed ? duplicateIds(listed) : [];
  const notes = listed ? unusedNote(config, listed) : [];
  if (config.channels.secretsFile) {
    const secrets = readSecretsFile(config.channels.secretsFile, cwd);
    problems.push(...secrets.problems, ...applySecrets(candidates, secrets));
    notes.push(...secrets.notes);
  }
  for (const c of candidates) {
    if (c.config.dryRun || Object.keys(c.config.credentials ?? {}).length === 0) continue;
    problems.push(...credentialProblems(c.config, c.label, c.title, Boolean(config.secretKey)));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { accounts: candidates.map((c) => c.config), notes };
}

/** The validated channel accounts (see resolveAccounts). */
export function accountsFromConfig(config: HeraldConfig): AccountConfig[] {
  return resolveAccounts(config).accounts;
}
