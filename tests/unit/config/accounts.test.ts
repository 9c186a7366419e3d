import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAccounts } from '../../../src/config/accounts.js';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'herald-accounts-'));

const OAUTH1 = {
  TWITTER_APP_KEY: 'tw-app-key-value',
  TWITTER_APP_SECRET: 'tw-app-secret-value',
  TWITTER_ACCESS_TOKEN: 'tw-access-token-value',
  TWITTER_ACCESS_SECRET: 'tw-access-secret-value',
};
const FACEBOOK = { FACEBOOK_PAGE_ID: '104857600123456', FACEBOOK_PAGE_TOKEN: 'EAA-page-token-value' };
const ALL_VALUES = [
  ...Object.values(OAUTH1),
  FACEBOOK.FACEBOOK_PAGE_TOKEN,
  'oauth2-refresh-value',
  'file-secret-value',
];

function resolve(env: Record<string, string>, cwd = dir()) {
  return resolveAccounts(loadConfig({ env, cwd }), cwd);
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const value of ALL_VALUES) expect(problems.join('\n')).not.toContain(value);
    return problems;
  }
  throw new Error('expected a ConfigError');
}

function yamlFile(cwd: string, name: string, text: string, mode = 0o600): string {
  const file = path.join(cwd, name);
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

describe('accounts from the environment', () => {
  it('nothing set: one dry-run account per platform', () => {
    const { accounts, notes } = resolve({});
    expect(accounts.map((a) => [a.id, a.platform, a.credentials])).toEqual([
      ['twitter', 'twitter', {}],
      ['facebook', 'facebook', {}],
      ['linkedin', 'linkedin', {}],
    ]);
    expect(notes).toEqual([]);
  });

  it('TWITTER_* and FACEBOOK_* give each default account its credentials and address', () => {
    const { accounts } = resolve({
      ...OAUTH1,
      ...FACEBOOK,
      TWITTER_API_URL: 'http://127.0.0.1:9/tw',
      FACEBOOK_GRAPH_URL: 'http://127.0.0.1:9/v25.0',
    });
    expect(accounts[0]).toEqual({
      id: 'twitter',
      platform: 'twitter',
      apiUrl: 'http://127.0.0.1:9/tw',
      credentials: {
        appKey: 'tw-app-key-value',
        appSecret: 'tw-app-secret-value',
        accessToken: 'tw-access-token-value',
        accessSecret: 'tw-access-secret-value',
      },
    });
    expect(accounts[1]).toEqual({
      id: 'facebook',
      platform: 'facebook',
      apiUrl: 'http://127.0.0.1:9/v25.0',
      credentials: { pageId: '104857600123456', pageToken: 'EAA-page-token-value' },
    });
  });

  it('OAuth 2 keys, with HERALD_SECRET_KEY', () => {
    const { accounts } = resolve({
      TWITTER_OAUTH2_CLIENT_ID: 'client',
      TWITTER_OAUTH2_REFRESH_TOKEN: 'oauth2-refresh-value',
      HERALD_SECRET_KEY: 'a-long-enough-secret-key',
    });
    expect(accounts[0]!.credentials).toEqual({ clientId: 'client', refreshToken: 'oauth2-refresh-value' });
  });

  it('names each missing or wrong variable, never a value', () => {
    const problems = problemsOf(() =>
      resolve({
        TWITTER_APP_KEY: OAUTH1.TWITTER_APP_KEY,
        FACEBOOK_PAGE_ID: 'my-page',
        FACEBOOK_PAGE_TOKEN: FACEBOOK.FACEBOOK_PAGE_TOKEN,
      }),
    );
    expect(problems).toEqual([
      'TWITTER_APP_SECRET (channels.twitter.appSecret): is missing (the Twitter/X account "twitter" uses OAuth 1.0a, which needs appKey, appSecret, accessToken and accessSecret)',
      'TWITTER_ACCESS_TOKEN (channels.twitter.accessToken): is missing (the Twitter/X account "twitter" uses OAuth 1.0a, which needs appKey, appSecret, accessToken and accessSecret)',
      'TWITTER_ACCESS_SECRET (channels.twitter.accessSecret): is missing (the Twitter/X account "twitter" uses OAuth 1.0a, which needs appKey, appSecret, accessToken and accessSecret)',
      'FACEBOOK_PAGE_ID (channels.facebook.pageId): must be the numeric Page id',
    ]);
  });

  it('OAuth 2 without HERALD_SECRET_KEY, and mixed schemes, are refused', () => {
    expect(
      problemsOf(() =>
        resolve({ TWITTER_OAUTH2_CLIENT_ID: 'client', TWITTER_OAUTH2_REFRESH_TOKEN: 'oauth2-refresh-value' }),
      ),
    ).toEqual([
      'HERALD_SECRET_KEY (secretKey): is required by the Twitter/X account "twitter", which uses OAuth 2 (its rotating refresh token is stored encrypted)',
    ]);
    const mixed = problemsOf(() =>
      resolve({
        ...OAUTH1,
        TWITTER_OAUTH2_CLIENT_ID: 'client',
        HERALD_SECRET_KEY: 'a-long-enough-secret-key',
      }),
    );
    expect(mixed).toHaveLength(1);
    expect(mixed[0]).toMatch(
      /give either OAuth 1\.0a keys .* or OAuth 2 .*, not both: TWITTER_APP_KEY \(channels.twitter.appKey\), TWITTER_APP_SECRET/,
    );
  });

  it('an invalid address names its variable', () => {
    expect(() => resolve({ TWITTER_API_URL: 'ftp://x' })).toThrow(
      'TWITTER_API_URL (channels.twitter.apiUrl): must be an absolute http(s) URL',
    );
  });
});

describe('accounts from the configuration file and a secrets file', () => {
  it('several accounts per platform; credentials from ${VARS} and from the secrets file; platform addresses as defaults', () => {
    const cwd = dir();
    yamlFile(cwd, 'secrets.yaml', 'fb-second:\n  pageId: 204857600654321\n  pageToken: file-secret-value\n');
    yamlFile(
      cwd,
      'herald.yaml',
      [
        'channels:',
        '  secretsFile: secrets.yaml',
        '  accounts:',
        '    - { id: tw-main, platform: twitter, credentials: { appKey: "${K}", appSecret: "${S}", accessToken: "${T}", accessSecret: "${U}" } }',
        '    - { id: fb-main, platform: facebook, name: City Hall, credentials: { pageId: "104857600123456", pageToken: "${P}" } }',
        '    - { id: fb-second, platform: facebook, apiUrl: "http://127.0.0.1:9/v26.0" }',
        '    - { id: tw-rehearsal, platform: twitter }',
      ].join('\n'),
    );
    const { accounts, notes } = resolve(
      {
        HERALD_CONFIG: 'herald.yaml',
        K: 'k',
        S: 's',
        T: 't',
        U: 'u',
        P: 'p',
        FACEBOOK_GRAPH_URL: 'http://127.0.0.1:9/v25.0',
      },
      cwd,
    );
    expect(accounts.map((a) => [a.id, a.name, a.apiUrl, Object.keys(a.credentials ?? {})])).toEqual([
      ['tw-main', 'Twitter/X (tw-main)', undefined, ['appKey', 'appSecret', 'accessToken', 'accessSecret']],
      ['fb-main', 'City Hall', 'http://127.0.0.1:9/v25.0', ['pageId', 'pageToken']],
      ['fb-second', 'Facebook Page (fb-second)', 'http://127.0.0.1:9/v26.0', ['pageId', 'pageToken']],
      ['tw-rehearsal', 'Twitter/X (tw-rehearsal)', undefined, []],
    ]);
    expect(accounts[2]!.credentials).toEqual({ pageId: '204857600654321', pageToken: 'file-secret-value' });
    expect(notes).toEqual([]);
  });

  it('the accounts named "twitter"/"facebook" without credentials take the environment\'s', () => {
    const cwd = dir();
    yamlFile(
      cwd,
      'herald.yaml',
      'channels:\n  accounts:\n    - { id: twitter, platform: twitter }\n    - { id: facebook, platform: facebook }\n',
    );
    const { accounts, notes } = resolve({ HERALD_CONFIG: 'herald.yaml', ...OAUTH1, ...FACEBOOK }, cwd);
    expect(accounts.map((a) => Object.keys(a.credentials ?? {}).length)).toEqual([4, 2]);
    expect(notes).toEqual([]);
  });

  it('environment credentials no account uses are pointed out', () => {
    const cwd = dir();
    yamlFile(cwd, 'herald.yaml', 'channels:\n  accounts:\n    - { id: tw-main, platform: twitter }\n');
    const { notes } = resolve(
      { HERALD_CONFIG: 'herald.yaml', FACEBOOK_PAGE_TOKEN: FACEBOOK.FACEBOOK_PAGE_TOKEN },
      cwd,
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^FACEBOOK_PAGE_TOKEN ignored: the configuration file lists the accounts/);
    expect(notes[0]).not.toContain(FACEBOOK.FACEBOOK_PAGE_TOKEN);
  });

  it('secrets-file problems name file, account and key; never a line of the file', () => {
    const cwd = dir();
    yamlFile(cwd, 'bad.yaml', 'tw-main:\n  appKey: "file-secret-value\n');
    const broken = problemsOf(() => resolve({ HERALD_SECRETS_FILE: 'bad.yaml' }, cwd));
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatch(/bad\.yaml: is not valid YAML \(line \d+\)$/);

    yamlFile(
      cwd,
      'unknown.yaml',
      'mastodon:\n  token: file-secret-value\ntwitter:\n  appKey: [1, 2]\n  apiKey: file-secret-value\n',
    );
    const problems = problemsOf(() => resolve({ HERALD_SECRETS_FILE: 'unknown.yaml' }, cwd));
    expect(problems).toContainEqual(
      expect.stringMatching(
        /unknown\.yaml: account "mastodon" is not configured \(accounts: twitter, facebook, linkedin\)$/,
      ),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/unknown\.yaml: twitter\.appKey must be a text value$/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/unknown\.yaml: twitter\.apiKey: unknown Twitter\/X credential \(known: appKey/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^TWITTER_APP_SECRET \(channels\.twitter\.appSecret\) or .*unknown\.yaml: twitter\.appSecret: is missing/,
      ),
    );

    expect(problemsOf(() => resolve({ HERALD_SECRETS_FILE: 'missing.yaml' }, cwd))[0]).toMatch(
      /^channels\.secretsFile: .*missing\.yaml does not exist$/,
    );
  });

  it('a secrets file others can read is pointed out; JSON works too', () => {
    const cwd = dir();
    yamlFile(
      cwd,
      'secrets.json',
      JSON.stringify({ facebook: { pageId: '104857600123456', pageToken: 'file-secret-value' } }),
      0o644,
    );
    const { accounts, notes } = resolve({ HERALD_SECRETS_FILE: 'secrets.json' }, cwd);
    expect(accounts[1]!.credentials).toEqual({ pageId: '104857600123456', pageToken: 'file-secret-value' });
    expect(notes).toEqual([
      `${path.join(cwd, 'secrets.json')} can be read by other users of this machine: restrict it (chmod 600)`,
    ]);
  });

  it('duplicate ids and incomplete file credentials, by path', () => {
    const cwd = dir();
    yamlFile(
      cwd,
      'herald.yaml',
      'channels:\n  accounts:\n    - { id: a, platform: facebook, credentials: { pageToken: x } }\n    - { id: a, platform: twitter, dryRun: true, credentials: { appKey: x } }\n',
    );
    expect(problemsOf(() => resolve({ HERALD_CONFIG: 'herald.yaml' }, cwd))).toEqual([
      'channels.accounts.1.id: "a" is used by an earlier account',
      'channels.accounts.0.credentials.pageId: is missing (the Facebook Page account "a" needs the Page id and a Page access token)',
    ]);
  });
});
