// Bluesky's part of bench/social.ts (issue 15): posts/s through Herald (queue, claim, compose, post, record) to the
// PDS fake against the same adapter in a plain loop in this process, at the same size and concurrency; and sessions
// created (createSession calls) per 1,000 posts on each path. Target: 1 session per 1,000 posts.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createContext } from '../src/app/context.js';
import { BlueskyChannel } from '../src/channels/bluesky/adapter.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { waitReady } from '../src/redis/connection.js';
import { DEFAULT_BLUESKY_ACCOUNT, startFakeBluesky } from '../tests/fakes/bluesky.js';
import { testAccount, testContext, testDelivery, testItem } from '../tests/helpers/channel-fixtures.js';
import {
  REDIS_URL,
  ROOT,
  deleteKeys,
  fmt,
  measureWindow,
  pollEveryMs,
  printTable,
  stopAll,
  tempDir,
  until,
} from './lib.js';
import { publishDrafts, seedDraftItems } from './seed.js';
import { emit } from './summary.js';

const SECRET_KEY = 'bench-secret-key-for-herald-0001';

export async function blueskyBench(posts: number, maxSeconds: number, concurrency: number): Promise<void> {
  const fake = await startFakeBluesky();
  const credentials = {
    identifier: DEFAULT_BLUESKY_ACCOUNT.handle,
    appPassword: DEFAULT_BLUESKY_ACCOUNT.password,
  };

  // The adapter in a loop (its own in-memory session), as a worker would call it.
  const channel = new BlueskyChannel({ service: fake.url, accounts: () => ({ credentials }) });
  const account = testAccount('bluesky', 'bluesky');
  let next = 0;
  const lane = async () => {
    for (let n = next++; n < posts; n = next++) {
      const item = testItem({ id: `itm_${n}`, title: `Direct ${n}`, url: `https://example.org/direct/${n}` });
      const delivery = testDelivery({ id: `dlv_direct_${n}`, target: account.id });
      await channel.publish(testContext(channel.compose(item, account), item, account, delivery).ctx);
    }
  };
  const directStarted = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  const directRate = posts / ((performance.now() - directStarted) / 1000);
  const directSessions = fake.sessionsCreated;
  fake.reset();

  // Through Herald: one worker process, the account configured by its environment variables only.
  const dataDir = tempDir('social-bluesky');
  const prefix = `{bench-social-bluesky-${process.pid}}`;
  const configFile = path.join(dataDir, 'herald.yaml');
  writeFileSync(configFile, 'channels:\n  accounts:\n    - id: bluesky\n      platform: bluesky\n');
  const env = {
    ...process.env,
    HERALD_DATA_DIR: dataDir,
    HERALD_CONFIG: configFile,
    HERALD_SECRET_KEY: SECRET_KEY,
    BLUESKY_SERVICE: fake.url,
    BLUESKY_IDENTIFIER: credentials.identifier,
    BLUESKY_APP_PASSWORD: credentials.appPassword,
    REDIS_URL,
    HERALD_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    HERALD_DELIVERY_CONCURRENCY: String(concurrency),
  };
  const ctx = await createContext(loadConfig({ env, cwd: dataDir }), {
    redis: { url: REDIS_URL },
    log: createLogger('warn'),
  });
  await waitReady(ctx.queues.connection);
  const social = ctx.queues.get('channel');
  await social.pause();
  const ids = await seedDraftItems(ctx, posts, (i) => ({
    title: `Queued ${i}`,
    url: `https://example.org/b/${i}`,
  }));
  await publishDrafts(ctx, ids);
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'worker', 'channel'],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
      cwd: ROOT,
    },
  );
  await new Promise((r) => setTimeout(r, 4000));
  await social.resume();
  const run = await measureWindow(posts, async () => fake.posts.length, {
    maxSeconds,
    everyMs: pollEveryMs(posts),
  });
  await until(async () => fake.posts.length >= run.done, 60_000, 'bluesky posts');
  await stopAll([worker]);
  await ctx.close();
  await deleteKeys(prefix);
  rmSync(dataDir, { recursive: true, force: true });
  const queuedRate = run.done / run.seconds;
  const perThousand = (sessions: number, n: number) => (sessions * 1000) / n;
  const queuedSessions = perThousand(fake.sessionsCreated, run.done);
  await fake.close();

  printTable(
    `Bluesky: ${fmt(posts)} posts to the PDS fake, 1 worker x concurrency ${concurrency}${run.windowed ? ` (first ${maxSeconds} s)` : ''}`,
    [
      { measure: 'direct loop: adapter -> fake, posts/s', value: fmt(directRate), ratio: '1.00 (baseline)' },
      {
        measure: 'through Herald, posts/s at the fake',
        value: fmt(queuedRate),
        ratio: fmt(queuedRate / directRate, 2),
      },
      {
        measure: 'sessions created per 1,000 posts, direct loop',
        value: fmt(perThousand(directSessions, posts), 2),
        ratio: '',
      },
      {
        measure: 'sessions created per 1,000 posts, through Herald',
        value: fmt(queuedSessions, 2),
        ratio: '',
      },
    ],
  );
  const common = { bench: 'social', size: posts };
  emit({
    ...common,
    figure: 'Bluesky posts/s at the fake through the queue, 1 worker',
    value: queuedRate,
    unit: 'posts/s',
    better: 'higher',
    baseline: 'same adapter in a direct loop',
    baselineValue: directRate,
  });
  emit({
    ...common,
    figure: 'Bluesky sessions created per 1,000 posts',
    value: queuedSessions,
    unit: 'sessions',
    better: 'lower',
  });
}
