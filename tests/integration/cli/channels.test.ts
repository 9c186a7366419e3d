// The `herald` command as an operator runs it: bad credentials stop it with a clear message; `channels check`,
// `channels list` and `status` show an account that needs reconnecting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { DEFAULT_FACEBOOK_PAGE } from '../../fakes/facebook.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../fakes/twitter.js';
import { ACCESS_SECRET, APP_KEY, APP_SECRET, startFakes, type Fakes } from '../../helpers/social.js';

let fakes: Fakes;
let app: TestApp;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fakes = await startFakes();
  app = await startTestApp('sqlite');
  env = {
    ...app.childEnv(),
    TWITTER_APP_KEY: APP_KEY,
    TWITTER_APP_SECRET: APP_SECRET,
    TWITTER_ACCESS_TOKEN: DEFAULT_TWITTER_ACCOUNT.accessToken,
    TWITTER_ACCESS_SECRET: ACCESS_SECRET,
    TWITTER_API_URL: fakes.twitter.url,
    FACEBOOK_PAGE_ID: DEFAULT_FACEBOOK_PAGE.id,
    FACEBOOK_PAGE_TOKEN: DEFAULT_FACEBOOK_PAGE.token,
    FACEBOOK_GRAPH_URL: fakes.facebook.url,
  };
});
afterAll(async () => {
  await app?.close();
  await fakes?.close();
});

async function herald(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const child = spawnHerald(args, { ...env, ...extra });
  const code = await waitForExit(child, 30_000);
  return { code, output: child.output() };
}

describe('herald CLI and social accounts', () => {
  it('incomplete credentials: the process stops at once, naming the missing variable and no value', async () => {
    const { code, output } = await herald(['worker', 'channel'], {
      TWITTER_ACCESS_SECRET: '',
      FACEBOOK_PAGE_ID: 'not-a-number',
    });
    expect(code).toBe(2);
    expect(output).toContain('TWITTER_ACCESS_SECRET (channels.twitter.accessSecret): is missing');
    expect(output).toContain('FACEBOOK_PAGE_ID (channels.facebook.pageId): must be the numeric Page id');
    for (const secret of [
      APP_KEY,
      APP_SECRET,
      DEFAULT_TWITTER_ACCOUNT.accessToken,
      DEFAULT_FACEBOOK_PAGE.token,
    ])
      expect(output).not.toContain(secret);
  });

  it('`herald worker social` (the queue before its rename) still starts the channel worker, with a warning', async () => {
    const { code, output } = await herald(['worker', 'social'], { TWITTER_ACCESS_SECRET: '' });
    expect(output).toContain('warning: the queue "social" is now named "channel"');
    expect(output).not.toContain('unknown queue');
    expect(code).toBe(2); // the channel worker's configuration check ran (and refused the missing secret)
    expect(output).toContain('TWITTER_ACCESS_SECRET (channels.twitter.accessSecret): is missing');
  });

  it('channels check marks a revoked account, list and status show it', { timeout: 90_000 }, async () => {
    const ok = await herald(['channels', 'check']);
    expect(ok.code).toBe(0);
    expect(ok.output).toMatch(/twitter\s+Twitter\/X\s+live\s+ok/);
    expect(ok.output).toMatch(/facebook\s+Facebook Page\s+live\s+ok/);

    fakes.twitter.revoke(DEFAULT_TWITTER_ACCOUNT.id);
    const check = await herald(['channels', 'check']);
    expect(check.code).toBe(1);
    expect(check.output).toMatch(
      /twitter\s+Twitter\/X\s+live\s+NEEDS RECONNECT: Twitter no longer accepts Herald's access/,
    );
    expect(check.output).toMatch(/facebook\s+Facebook Page\s+live\s+ok/);

    const list = await herald(['channels', 'list']);
    expect(list.code).toBe(0);
    expect(list.output).toMatch(/twitter\s+Twitter\/X\s+live\s+NEEDS RECONNECT: Twitter no longer accepts/);
    const json = await herald(['channels', 'list', '--json']);
    const { accounts } = JSON.parse(json.output) as { accounts: Array<Record<string, unknown>> };
    expect(accounts.map((a) => [a.id, a.platform, a.platformName])).toEqual([
      ['twitter', 'twitter', 'Twitter/X'],
      ['facebook', 'facebook', 'Facebook Page'],
    ]);
    const status = await herald(['status']);
    expect(status.output).toMatch(/twitter\s+Twitter\/X\s+live\s+needs_reconnect: Twitter no longer accepts/);
    for (const { output } of [check, list, status])
      for (const secret of [APP_KEY, APP_SECRET, ACCESS_SECRET, DEFAULT_TWITTER_ACCOUNT.accessToken])
        expect(output).not.toContain(secret);
  });
});
