// A `herald worker social` process is SIGKILLed after LinkedIn accepted a post and before the job completed;
// after a restart the page has the post once and the delivery records it.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { envFromSettings, fakeSettings } from '../../helpers/fake-env.js';
import { deliveryFor, publishItem } from '../../helpers/social.js';
import { DEFAULT_LINKEDIN_ORGANIZATION, startFakeLinkedIn, type FakeLinkedIn } from '../../fakes/linkedin.js';

let fake: FakeLinkedIn;
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
  const child = spawnHerald(['worker', 'social'], env);
  children.push(child);
  return child;
}

describe('LinkedIn: crash after the platform accepted (sqlite)', () => {
  it(
    'LINKEDIN_* from the environment: killed while LinkedIn was answering, one post after the restart',
    { timeout: 120_000 },
    async () => {
      fake = await startFakeLinkedIn();
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
      // LinkedIn records the post, then takes long to answer: the worker is killed while waiting.
      fake.inject({ kind: 'slow', delayMs: 8_000 }, { route: 'POST /rest/posts' });
      const item = await publishItem(app, 1, { title: 'Annual report (2026) [final]: heat_maps' }, [
        'linkedin',
      ]);
      const first = worker(env);
      await waitFor(
        async () => fake.posts.length === 1,
        30_000,
        `the fake to accept the post (worker output: ${first.output().slice(-500)})`,
      );
      expect((await deliveryFor(app, item.id, 'linkedin')).status).toBe('running');
      first.kill('SIGKILL');
      await waitForExit(first);

      worker(env);
      const done = await waitFor(
        async () => {
          const d = await deliveryFor(app, item.id, 'linkedin');
          if (d.status === 'failed') throw new Error(d.lastError ?? 'failed');
          return d.status === 'done' ? d : null;
        },
        40_000,
        'linkedin done after the restart',
      );
      const posts = fake.posts.filter((p) => !p.deleted);
      expect(posts).toHaveLength(1);
      expect(posts[0]!.cut).toBe(false);
      expect(fake.requests.filter((r) => r === 'POST /rest/posts')).toHaveLength(1);
      expect(done).toMatchObject({
        attempts: 2,
        remoteId: posts[0]!.id,
        remoteUrl: `https://www.linkedin.com/feed/update/${posts[0]!.id}/`,
      });
    },
  );
});
