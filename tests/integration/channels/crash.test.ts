// A `herald worker social` process is SIGKILLed after the platform accepted a post and before the job
// completed; after a restart the post exists once and the delivery records it.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { twitterComposer } from '../../../src/channels/twitter/compose.js';
import { getItem } from '../../../src/store/items.js';
import { startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { DEFAULT_MASTODON_ACCOUNT } from '../../fakes/mastodon.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../fakes/twitter.js';
import { DEFAULT_LINKEDIN_ORGANIZATION, startFakeLinkedIn } from '../../fakes/linkedin.js';
import { envFromSettings, fakeSettings } from '../../helpers/fake-env.js';
import {
  ACCESS_SECRET,
  APP_KEY,
  APP_SECRET,
  deliveryFor,
  publishItem,
  startFakes,
  THREAD_SUMMARY,
  type Fakes,
} from '../../helpers/social.js';

let fakes: Fakes;
let app: TestApp;
/** The fakes a test started, closed after it. */
const opened: Array<{ close(): Promise<void> }> = [];

async function started<T extends { close(): Promise<void> }>(starting: Promise<T>): Promise<T> {
  const fake = await starting;
  opened.push(fake);
  return fake;
}
let children: Array<ReturnType<typeof spawnHerald>> = [];

afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map((c) => waitForExit(c).catch(() => undefined)));
  children = [];
  await app?.close();
  await Promise.all(opened.splice(0).map((fake) => fake.close()));
});

function worker(env: NodeJS.ProcessEnv) {
  const child = spawnHerald(['worker', 'channel'], env);
  children.push(child);
  return child;
}

async function killWhenAccepted(
  child: ReturnType<typeof spawnHerald>,
  accepted: () => boolean,
  itemId: string,
  targets: string[],
) {
  await waitFor(
    async () => accepted(),
    30_000,
    `the fake to accept the post (worker output: ${child.output().slice(-500)})`,
  );
  for (const t of targets) expect((await deliveryFor(app, itemId, t)).status).toBe('running');
  child.kill('SIGKILL');
  await waitForExit(child);
}

const waitDone = (itemId: string, target: string) =>
  waitFor(
    async () => {
      const d = await deliveryFor(app, itemId, target);
      if (d.status === 'failed') throw new Error(d.lastError ?? 'failed');
      return d.status === 'done' ? d : null;
    },
    40_000,
    `${target} done after the restart`,
  );

describe('crash after the platform accepted (sqlite)', () => {
  it(
    'environment-configured accounts: one tweet and one Facebook post, recorded on the deliveries',
    { timeout: 120_000 },
    async () => {
      fakes = await started(startFakes());
      const settings = fakeSettings(fakes, { delivery: { lockMs: 2_000 } });
      app = await startTestApp('sqlite', settings);
      const env = { ...app.childEnv(), ...envFromSettings(settings) };
      // The platforms record the post, then take long to answer: the worker is killed while waiting.
      fakes.twitter.inject({ kind: 'slow', delayMs: 8_000 }, { route: 'POST /2/tweets' });
      fakes.facebook.inject({ kind: 'slow', delayMs: 8_000 }, { route: '/feed' });
      const item = await publishItem(app, 1, {}, ['twitter', 'facebook']);
      const first = worker(env);
      await killWhenAccepted(
        first,
        () => fakes.twitter.posts.length === 1 && fakes.facebook.posts.length === 1,
        item.id,
        ['twitter', 'facebook'],
      );

      worker(env);
      const tw = await waitDone(item.id, 'twitter');
      const fb = await waitDone(item.id, 'facebook');
      expect(fakes.twitter.posts.filter((p) => !p.deleted)).toHaveLength(1);
      expect(fakes.facebook.posts.filter((p) => !p.deleted)).toHaveLength(1);
      expect(fakes.twitter.requests.filter((r) => r === 'POST /2/tweets')).toHaveLength(1);
      expect(tw).toMatchObject({
        attempts: 2,
        remoteId: fakes.twitter.posts[0]!.id,
        remoteUrl: `https://x.com/herald_test/status/${fakes.twitter.posts[0]!.id}`,
      });
      expect(fb).toMatchObject({
        attempts: 2,
        remoteId: fakes.facebook.posts[0]!.id,
        remoteUrl: `https://www.facebook.com/${fakes.facebook.posts[0]!.id}`,
      });
    },
  );

  it(
    'Mastodon from the environment: one status after the restart, even once the instance forgot the Idempotency-Key',
    { timeout: 120_000 },
    async () => {
      fakes = await startFakes();
      const settings = fakeSettings(fakes, {
        delivery: { lockMs: 2_000 },
        channels: { mastodon: { accessToken: DEFAULT_MASTODON_ACCOUNT.token, apiUrl: fakes.mastodon.url } },
      });
      app = await startTestApp('sqlite', settings);
      const env = { ...app.childEnv(), ...envFromSettings(settings) };
      expect(env.MASTODON_URL).toBe(fakes.mastodon.url);
      fakes.mastodon.inject({ kind: 'slow', delayMs: 8_000 }, { route: 'POST /api/v1/statuses' });
      const item = await publishItem(app, 1, {}, ['mastodon']);
      const first = worker(env);
      await killWhenAccepted(first, () => fakes.mastodon.statuses.length === 1, item.id, ['mastodon']);
      // More than an hour later, as far as the key goes: only the look-up can find the status.
      fakes.mastodon.forgetIdempotencyKeys();

      worker(env);
      const done = await waitDone(item.id, 'mastodon');
      expect(fakes.mastodon.statuses.filter((s) => !s.deleted)).toHaveLength(1);
      expect(fakes.mastodon.requests.filter((r) => r === 'POST /api/v1/statuses')).toHaveLength(1);
      const status = fakes.mastodon.statuses[0]!;
      expect(done).toMatchObject({
        attempts: 2,
        remoteId: status.id,
        remoteUrl: `${fakes.mastodon.url}/@herald/${status.id}`,
      });
    },
  );

  it(
    'a thread, config file and secrets file: killed while tweet 2 was answered, resumed at tweet 3',
    { timeout: 120_000 },
    async () => {
      fakes = await started(startFakes());
      const account = { id: 'tw-thread', platform: 'twitter', apiUrl: fakes.twitter.url };
      const dir = mkdtempSync(path.join(tmpdir(), 'herald-social-crash-'));
      const secretsFile = path.join(dir, 'secrets.yaml');
      writeFileSync(
        secretsFile,
        YAML.stringify({
          'tw-thread': {
            appKey: APP_KEY,
            appSecret: APP_SECRET,
            accessToken: DEFAULT_TWITTER_ACCOUNT.accessToken,
            accessSecret: ACCESS_SECRET,
          },
        }),
      );
      chmodSync(secretsFile, 0o600);
      const configFile = path.join(dir, 'herald.yaml');
      writeFileSync(configFile, YAML.stringify({ channels: { accounts: [account], secretsFile } }));
      // This process sees the same accounts, with the same secrets.
      app = await startTestApp('sqlite', {
        delivery: { lockMs: 2_000 },
        channels: { accounts: [account], secretsFile },
      });
      expect(app.ctx.channels.get('tw-thread')!.account.mode).toBe('live');
      const env = { ...app.childEnv(), HERALD_CONFIG: configFile };

      fakes.twitter.inject({ kind: 'slow', delayMs: 8_000 }, { route: 'POST /2/tweets', nth: 2 });
      const item = await publishItem(app, 1, { summary: THREAD_SUMMARY, thread: true }, ['tw-thread']);
      const parts = twitterComposer.compose(await getItem(app.ctx.store.db, item.id), {
        id: 'tw-thread',
      }).parts;
      expect(parts.length).toBeGreaterThanOrEqual(3);
      const first = worker(env);
      await killWhenAccepted(first, () => fakes.twitter.posts.length === 2, item.id, ['tw-thread']);

      worker(env);
      const done = await waitDone(item.id, 'tw-thread');
      const tweets = fakes.twitter.posts.filter((p) => !p.deleted);
      expect(tweets.map((t) => t.text)).toEqual(parts);
      tweets.forEach((t, i) => expect(t.replyTo).toBe(i === 0 ? null : tweets[i - 1]!.id));
      expect(done.progress.tweetIds).toEqual(tweets.map((t) => t.id));
      expect(done.remoteId).toBe(tweets[0]!.id);
      expect(fakes.twitter.requests.filter((r) => r === 'POST /2/tweets')).toHaveLength(parts.length);
    },
  );

  it(
    'a LinkedIn page from LINKEDIN_*: killed while LinkedIn was answering, one post after the restart',
    { timeout: 120_000 },
    async () => {
      const fake = await started(startFakeLinkedIn());
      const settings = fakeSettings(
        {},
        {
          delivery: { lockMs: 2_000 },
          channels: {
            linkedin: {
              organizationId: DEFAULT_LINKEDIN_ORGANIZATION.id,
              accessToken: DEFAULT_LINKEDIN_ORGANIZATION.token,
              apiUrl: fake.url,
            },
          },
        },
      );
      app = await startTestApp('sqlite', settings);
      const env = { ...app.childEnv(), ...envFromSettings(settings) };
      expect(env.LINKEDIN_ORGANIZATION_ID).toBe(DEFAULT_LINKEDIN_ORGANIZATION.id);
      fake.inject({ kind: 'slow', delayMs: 8_000 }, { route: 'POST /rest/posts' });
      const title = 'Annual report (2026) [final]: heat_maps';
      const item = await publishItem(app, 1, { title }, ['linkedin']);
      await killWhenAccepted(worker(env), () => fake.posts.length === 1, item.id, ['linkedin']);

      worker(env);
      const done = await waitDone(item.id, 'linkedin');
      const posts = fake.posts.filter((p) => !p.deleted);
      expect(posts).toHaveLength(1);
      expect(posts[0]!.shown).toContain(title);
      expect(fake.requests.filter((r) => r === 'POST /rest/posts')).toHaveLength(1);
      expect(done).toMatchObject({
        attempts: 2,
        remoteId: posts[0]!.id,
        remoteUrl: `https://www.linkedin.com/feed/update/${posts[0]!.id}/`,
      });
    },
  );
});
