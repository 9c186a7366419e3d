// What a worker process logs while platforms fail: useful lines, never a secret (Herald's real logger).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountState } from '../../../src/store/accounts.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { DEFAULT_FACEBOOK_PAGE } from '../../fakes/facebook.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../fakes/twitter.js';
import { envFromSettings, fakeSettings } from '../../helpers/fake-env.js';
import {
  ACCESS_SECRET,
  APP_KEY,
  APP_SECRET,
  SECRET_KEY,
  publishItem,
  startFakes,
  waitForDelivery,
  type Fakes,
} from '../../helpers/social.js';

let fakes: Fakes;
let app: TestApp;
let worker: ReturnType<typeof spawnHerald>;

beforeAll(async () => {
  fakes = await startFakes();
  const settings = fakeSettings(fakes, { delivery: { attempts: 2 }, channels: { timeoutMs: 1_000 } });
  app = await startTestApp('sqlite', settings);
  worker = spawnHerald(['worker', 'channel'], {
    ...app.childEnv(),
    ...envFromSettings(settings),
    LOG_LEVEL: 'trace',
  });
});
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await waitForExit(worker);
  }
  await app?.close();
  await fakes?.close();
});

describe('worker logs', () => {
  it('say what failed and why, without tokens or keys', { timeout: 60_000 }, async () => {
    fakes.twitter.inject({ kind: 'unauthorized' }, { route: 'POST /2/tweets' });
    fakes.facebook.inject({ kind: 'token_expired' }, { route: '/feed' });
    const first = await publishItem(app, 1);
    await waitForDelivery(app, first.id, 'twitter', ['failed'], 30_000);
    await waitForDelivery(app, first.id, 'facebook', ['failed'], 30_000);
    for (const id of ['twitter', 'facebook']) await setAccountState(app.ctx.store.db, id, 'ok', null);

    fakes.twitter.inject({ kind: 'server_error' }, { route: 'POST /2/tweets', times: 5 });
    fakes.facebook.inject({ kind: 'slow', delayMs: 3_000 }, { route: '/feed', times: 5 });
    const second = await publishItem(app, 2);
    await waitForDelivery(app, second.id, 'twitter', ['failed'], 30_000);
    await waitForDelivery(app, second.id, 'facebook', ['done', 'failed'], 30_000);

    const logged = worker.output();
    expect(logged).toContain('"msg":"herald context ready"');
    expect(logged).toContain('"msg":"delivery failed"');
    expect(logged).toContain('"msg":"transient failure; will retry"');
    expect(logged).toContain('The Facebook Page token expired on 3 December 2024');
    expect(logged).toContain('Facebook did not answer in time');
    for (const secret of [
      APP_KEY,
      APP_SECRET,
      ACCESS_SECRET,
      SECRET_KEY,
      DEFAULT_TWITTER_ACCOUNT.accessToken,
      DEFAULT_FACEBOOK_PAGE.token,
    ])
      expect(logged).not.toContain(secret);
  });
});
