// A `herald worker social` process is SIGKILLed after the PDS accepted a Bluesky post and before the job
// completed; after a restart the post exists once, the delivery records it, and the new process used the
// session the first one stored instead of signing in again.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BLUESKY_ACCOUNT, startFakeBluesky, type FakeBluesky } from '../../fakes/bluesky.js';
import { startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { envFromSettings } from '../../helpers/fake-env.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { SECRET_KEY, deliveryFor, publishItem } from '../../helpers/social.js';

let fake: FakeBluesky;
let app: TestApp;
let children: Array<ReturnType<typeof spawnHerald>> = [];

afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map((c) => waitForExit(c).catch(() => undefined)));
  children = [];
  await app?.close();
  await fake?.close();
});

function worker(env: NodeJS.ProcessEnv) {
  const child = spawnHerald(['worker', 'channel'], env);
  children.push(child);
  return child;
}

describe('crash after the PDS accepted (sqlite)', () => {
  it(
    'one Bluesky post, recorded on the delivery, one session for both processes',
    { timeout: 120_000 },
    async () => {
      fake = await startFakeBluesky();
      const settings = {
        secretKey: SECRET_KEY,
        delivery: { lockMs: 2_000 },
        channels: {
          bluesky: {
            identifier: DEFAULT_BLUESKY_ACCOUNT.handle,
            appPassword: DEFAULT_BLUESKY_ACCOUNT.password,
            apiUrl: fake.url,
          },
        },
      };
      app = await startTestApp('sqlite', settings);
      expect(app.ctx.channels.get('bluesky')!.account.mode).toBe('live');
      const env = { ...app.childEnv(), ...envFromSettings(settings) };
      expect(env.BLUESKY_IDENTIFIER).toBe(DEFAULT_BLUESKY_ACCOUNT.handle);
      // The PDS writes the record, then takes long to answer: the worker is killed while waiting.
      fake.inject({ kind: 'slow', delayMs: 8_000 }, { method: 'createRecord' });
      const item = await publishItem(app, 1, {}, ['bluesky']);
      const first = worker(env);
      await waitFor(
        async () => fake.posts.length === 1,
        30_000,
        `the fake to accept the post (worker output: ${first.output().slice(-500)})`,
      );
      expect((await deliveryFor(app, item.id, 'bluesky')).status).toBe('running');
      first.kill('SIGKILL');
      await waitForExit(first);

      worker(env);
      const done = await waitFor(
        async () => {
          const d = await deliveryFor(app, item.id, 'bluesky');
          if (d.status === 'failed') throw new Error(d.lastError ?? 'failed');
          return d.status === 'done' ? d : null;
        },
        40_000,
        'bluesky done after the restart',
      );
      expect(fake.posts).toHaveLength(1);
      expect(fake.requests.filter((r) => r === 'com.atproto.repo.createRecord')).toHaveLength(1);
      expect(done).toMatchObject({
        attempts: 2,
        remoteId: fake.posts[0]!.uri,
        remoteUrl: `https://bsky.app/profile/${DEFAULT_BLUESKY_ACCOUNT.handle}/post/${fake.posts[0]!.rkey}`,
      });
      expect(fake.sessionsCreated).toBe(1);
    },
  );
});
