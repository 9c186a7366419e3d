// Social benchmark (issue 3; sized in issue 7): posts per second through the queue to the platform fakes (no
// artificial latency), against the same adapters called in a plain loop in the same run, at the same size; CPU per
// post and peak RSS of the worker against the loop's; and (extras) the time from a scheduled instant to the request
// reaching the fake, p50/p99. Targets: ratio >= 0.5, p99 < 1 s. Items are seeded and published in batches
// (bench/seed.ts). A backlog not worked off within --max-seconds is measured over that window (and labelled so).
// With Bluesky among the platforms, also the sessions created (createSession calls) per 1,000 posts on each path
// (target: 1).
// Usage: npx tsx bench/social.ts [--size 1k] [--max-seconds 60] [--no-extras]
//        (BENCH_SCHEDULED=200, BENCH_ROUNDS, BENCH_WORKERS=1, BENCH_DATABASE_URL=postgres://... optional;
//        BENCH_PLATFORMS=twitter,facebook (default) or any of twitter,facebook,mastodon,linkedin,bluesky: posts split
//        evenly)
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { createContext, type Context } from '../src/app/context.js';
import { createLogger } from '../src/log.js';
import { waitReady } from '../src/redis/connection.js';
import { requestPublish } from '../src/app/publishing.js';
import { DEFAULT_FACEBOOK_PAGE, startFakeFacebook } from '../tests/fakes/facebook.js';
import { DEFAULT_MASTODON_ACCOUNT, startFakeMastodon } from '../tests/fakes/mastodon.js';
import { DEFAULT_LINKEDIN_ORGANIZATION, startFakeLinkedIn } from '../tests/fakes/linkedin.js';
import { DEFAULT_TWITTER_ACCOUNT, startFakeTwitter } from '../tests/fakes/twitter.js';
import { DEFAULT_BLUESKY_ACCOUNT, startFakeBluesky } from '../tests/fakes/bluesky.js';
import {
  freshPgUrl,
  REDIS_URL,
  ROOT,
  cpuMsOf,
  deleteKeys,
  fmt,
  measureWindow,
  memoryOf,
  percentile,
  pollEveryMs,
  printTable,
  sizedArgs,
  stopAll,
  tempDir,
  until,
  windowNote,
  workerCommand,
} from './lib.js';
import { publishDrafts, seedDraftItems } from './seed.js';
import { emit } from './summary.js';
import type { DirectArgs } from './social-direct.js';

const { size: POSTS, maxSeconds: MAX_SECONDS, extras: EXTRAS } = sizedArgs(1000);
const SCHEDULED = Number(process.env.BENCH_SCHEDULED ?? 200);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
/** Direct and queued runs alternate this many times; medians are reported (the machine may be shared). Large sizes: once. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (POSTS <= 1_000 ? 3 : 1));
const DATABASE_URL = process.env.BENCH_DATABASE_URL; // unset = SQLite, as a default install
const CONCURRENCY = 8;
/** Node options of the worker processes, e.g. "--max-old-space-size=128" (the default bound, see src/config/heap.ts). */
const WORKER_NODE_ARGS = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
const EVERY = pollEveryMs(POSTS);

const BENCH_PLATFORMS = ['twitter', 'facebook', 'mastodon', 'linkedin', 'bluesky'] as const;
const SELECTED = (process.env.BENCH_PLATFORMS ?? 'twitter,facebook').split(',').map((p) => p.trim());
for (const p of SELECTED)
  if (!(BENCH_PLATFORMS as readonly string[]).includes(p))
    throw new Error(`bench: BENCH_PLATFORMS: "${p}" is not one of ${BENCH_PLATFORMS.join(', ')}`);
const PER_ITEM = SELECTED.length;

const twitter = await startFakeTwitter();
const facebook = await startFakeFacebook();
const mastodon = await startFakeMastodon();
const linkedin = await startFakeLinkedIn();
const bluesky = await startFakeBluesky();
const posted = () =>
  twitter.posts.length +
  facebook.posts.length +
  mastodon.statuses.length +
  linkedin.posts.length +
  bluesky.posts.length;
const resetFakes = () => {
  twitter.reset();
  facebook.reset();
  mastodon.reset();
  linkedin.reset();
  bluesky.reset();
  // The fake PDS's real limits (3,000 requests per 5 min, 5,000 write points per hour) would make Herald
  // wait for their reset above ~1,600 posts: the bench measures throughput, not those limits.
  bluesky.liftLimits();
};
/** Bluesky sessions created (createSession) per 1,000 posts since the last reset; null when Bluesky is not benched. */
const sessionsPerThousand = (posts: number) =>
  SELECTED.includes('bluesky') ? (bluesky.sessionsCreated * 1000) / Math.max(1, posts) : null;

const accountEnv = {
  TWITTER_APP_KEY: 'bench-app-key',
  TWITTER_APP_SECRET: 'bench-app-secret',
  TWITTER_ACCESS_TOKEN: DEFAULT_TWITTER_ACCOUNT.accessToken,
  TWITTER_ACCESS_SECRET: 'bench-access-secret',
  TWITTER_API_URL: twitter.url,
  FACEBOOK_PAGE_ID: DEFAULT_FACEBOOK_PAGE.id,
  FACEBOOK_PAGE_TOKEN: DEFAULT_FACEBOOK_PAGE.token,
  FACEBOOK_GRAPH_URL: facebook.url,
  MASTODON_ACCESS_TOKEN: DEFAULT_MASTODON_ACCOUNT.token,
  MASTODON_URL: mastodon.url,
  LINKEDIN_ORGANIZATION_ID: DEFAULT_LINKEDIN_ORGANIZATION.id,
  LINKEDIN_ACCESS_TOKEN: DEFAULT_LINKEDIN_ORGANIZATION.token,
  LINKEDIN_API_URL: linkedin.url,
  BLUESKY_SERVICE: bluesky.url,
  BLUESKY_IDENTIFIER: DEFAULT_BLUESKY_ACCOUNT.handle,
  BLUESKY_APP_PASSWORD: DEFAULT_BLUESKY_ACCOUNT.password,
  // Bluesky keeps its session encrypted in the database.
  HERALD_SECRET_KEY: 'bench-secret-key-for-herald-0001',
};

/** The adapters in a loop, in a process of their own (as the workers are), at the workers' concurrency. */
function directRate(posts: number): Promise<{
  posts: number;
  postsPerSecond: number;
  cpuMsPerPost: number;
  peakMb: number;
  sessionsPerThousand: number | null;
}> {
  const args: DirectArgs = {
    posts,
    concurrency: CONCURRENCY * WORKERS,
    maxSeconds: MAX_SECONDS,
    platforms: SELECTED,
    twitter: { url: twitter.url, accessToken: DEFAULT_TWITTER_ACCOUNT.accessToken },
    facebook: { url: facebook.url, pageId: DEFAULT_FACEBOOK_PAGE.id, pageToken: DEFAULT_FACEBOOK_PAGE.token },
    mastodon: { url: mastodon.url, token: DEFAULT_MASTODON_ACCOUNT.token },
    linkedin: {
      url: linkedin.url,
      organizationId: DEFAULT_LINKEDIN_ORGANIZATION.id,
      token: DEFAULT_LINKEDIN_ORGANIZATION.token,
    },
    bluesky: {
      url: bluesky.url,
      identifier: DEFAULT_BLUESKY_ACCOUNT.handle,
      appPassword: DEFAULT_BLUESKY_ACCOUNT.password,
    },
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/social-direct.ts'), JSON.stringify(args)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`direct loop exited ${code}`));
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
        posts: number;
        postsPerSecond: number;
        cpuMsPerPost: number;
        peakMb: number;
      };
      resolve({ ...result, sessionsPerThousand: sessionsPerThousand(result.posts) });
    }),
  );
}

async function heraldContext(
  label: string,
): Promise<{ ctx: Context; env: NodeJS.ProcessEnv; done(): Promise<void> }> {
  const dataDir = tempDir(`social-${label}`);
  // Exactly the chosen platforms' accounts, each named like its platform (so it takes the variables above).
  const configFile = path.join(dataDir, 'herald.json');
  writeFileSync(
    configFile,
    JSON.stringify({ channels: { accounts: SELECTED.map((id) => ({ id, platform: id })) } }),
  );
  const prefix = `{bench-social-${label}-${process.pid}}`;
  const env = {
    ...process.env,
    ...accountEnv,
    HERALD_DATA_DIR: dataDir,
    REDIS_URL,
    HERALD_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    HERALD_DELIVERY_CONCURRENCY: String(CONCURRENCY),
    HERALD_CONFIG: configFile,
    ...(DATABASE_URL ? { DATABASE_URL: freshPgUrl(DATABASE_URL, `herald_bench_social_${label}`) } : {}),
  };
  const ctx = await createContext(loadConfig({ env, cwd: dataDir }), {
    redis: { url: REDIS_URL },
    log: createLogger('warn'),
  });
  await waitReady(ctx.queues.connection); // publishing refuses while the queue's connection is not up yet
  const done = async () => {
    await ctx.close();
    await deleteKeys(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { ctx, env, done };
}

/** The worker runs compiled, as in production (memory without tsx's loader). */
const BUILD_DIR = tempDir('social-build');
const WORKER = workerCommand(BUILD_DIR);

function startWorkers(env: NodeJS.ProcessEnv, queues: string[]) {
  return Array.from({ length: WORKERS }, () =>
    spawn(process.execPath, [...WORKER_NODE_ARGS, ...WORKER.args, 'worker', ...queues], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
      cwd: ROOT,
    }),
  );
}

/**
 * Until every worker process listens on the queue: starting one (loading Herald through tsx) takes seconds of CPU
 * on a loaded machine, and must not be counted as posting time (the direct loop's start is not either).
 */
async function workersListening(queue: ReturnType<Context['queues']['get']>): Promise<void> {
  await until(async () => (await queue.getWorkersCount()) >= WORKERS, 120_000, 'workers listening', 100);
}

async function channelDone(ctx: Context): Promise<number> {
  const row = await ctx.store.db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', 'channel')
    .where('status', '=', 'done')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Items published onto a paused queue, then the workers alone are timed (as for the direct loop). */
async function queueRate(posts: number, round: number) {
  const { ctx, env, done } = await heraldContext(`throughput${round}`);
  const items = Math.ceil(posts / PER_ITEM);
  const social = ctx.queues.get('channel');
  await social.pause();
  const ids = await seedDraftItems(ctx, items, (i) => ({
    title: `Queued item ${i}`,
    url: `https://example.org/q/${i}`,
    tags: ['bench'],
  }));
  await publishDrafts(ctx, ids);
  const children = startWorkers(env, ['channel']);
  await workersListening(social);
  resetFakes();
  const cpuBefore = children.map((c) => cpuMsOf(c.pid!));
  await social.resume();
  const started = performance.now();
  const run = await measureWindow(items * PER_ITEM, async () => posted(), {
    maxSeconds: MAX_SECONDS,
    everyMs: EVERY,
  });
  const cpuMs = children.reduce((sum, c, i) => sum + cpuMsOf(c.pid!) - cpuBefore[i]!, 0);
  // Until every delivery that reached the fakes is also recorded done (the whole backlog, or the window's posts).
  await until(async () => (await channelDone(ctx)) >= run.done, 300_000, 'deliveries done', EVERY);
  const doneSeconds = (performance.now() - started) / 1000;
  const peakMb = Math.max(...children.map((c) => memoryOf(c.pid!).peak));
  const sessions = sessionsPerThousand(run.done);
  await stopAll(children);
  await done();
  if (!run.windowed && posted() !== items * PER_ITEM)
    throw new Error(`expected ${items * PER_ITEM} posts at the fakes, got ${posted()}`);
  return {
    postsPerSecond: run.done / run.seconds,
    donePerSecond: run.done / doneSeconds,
    cpuMsPerPost: cpuMs / run.done,
    peakMb,
    windowed: run.windowed,
    sessionsPerThousand: sessions,
  };
}

/** Items scheduled over a few seconds: from each due instant to the post reaching the fake. */
async function scheduledLatency(items: number) {
  const { ctx, env, done } = await heraldContext('scheduled');
  const children = startWorkers(env, ['publish', 'channel']);
  await workersListening(ctx.queues.get('channel'));
  resetFakes();
  const due = new Map<string, number>();
  const url = (i: number) => `https://example.org/s/${i}`;
  const ids = await seedDraftItems(ctx, items, (i) => ({ title: `Scheduled ${i}`, url: url(i) }));
  const created = ids.map((id, i) => ({ id, url: url(i) }));
  // Every item is scheduled before the first is due, so lateness is Herald's, not this loop's.
  const base = Date.now() + 3_000 + items * 10;
  for (const [i, { id, url }] of created.entries()) {
    const at = new Date(base + Math.floor((i / items) * 5_000)).toISOString();
    await requestPublish(ctx, id, { at, actor: 'bench' });
    due.set(url, Date.parse(at));
  }
  if (Date.now() >= base)
    console.error(`warning: scheduling ended ${Date.now() - base} ms after the first due instant`);
  await until(async () => posted() >= items * PER_ITEM, 120_000, 'scheduled posts');
  await stopAll(children);
  await done();
  const urlOf = (text: string) => /https:\/\/example\.org\/s\/\d+/.exec(text)![0];
  const arrivals = [
    ...twitter.posts.map((p) => ({ url: urlOf(p.text), at: Date.parse(p.createdAt) })),
    ...facebook.posts.map((p) => ({ url: p.link!, at: p.receivedAt })),
    ...mastodon.statuses.map((s) => ({ url: urlOf(s.text), at: Date.parse(s.createdAt) })),
    ...linkedin.posts.map((p) => ({ url: p.article!.source, at: p.createdAt })),
    // The record's createdAt is stamped by Herald just before it sends the record.
    ...bluesky.posts.map((p) => ({
      url: (p.value.embed as { external: { uri: string } }).external.uri,
      at: Date.parse(p.value.createdAt as string),
    })),
  ];
  return arrivals.map((a) => a.at - due.get(a.url)!);
}

const loadBefore = loadavg()[0]!;
const rounds: Array<{
  direct: number;
  queued: number;
  done: number;
  directCpu: number;
  queuedCpu: number;
  directMb: number;
  workerMb: number;
  windowed: boolean;
  directSessions: number | null;
  queuedSessions: number | null;
}> = [];
for (let round = 1; round <= ROUNDS; round++) {
  resetFakes();
  const d = await directRate(POSTS);
  const q = await queueRate(POSTS, round);
  rounds.push({
    direct: d.postsPerSecond,
    queued: q.postsPerSecond,
    done: q.donePerSecond,
    directCpu: d.cpuMsPerPost,
    queuedCpu: q.cpuMsPerPost,
    directMb: d.peakMb,
    workerMb: q.peakMb,
    windowed: q.windowed || d.posts < POSTS,
    directSessions: d.sessionsPerThousand,
    queuedSessions: q.sessionsPerThousand,
  });
  console.error(
    `round ${round}: direct ${fmt(d.postsPerSecond)} posts/s, through Herald ${fmt(q.postsPerSecond)} posts/s (ratio ${fmt(q.postsPerSecond / d.postsPerSecond, 2)}); CPU ms/post ${fmt(d.cpuMsPerPost, 2)} vs ${fmt(q.cpuMsPerPost, 2)}`,
  );
}
const median = (values: number[]) => percentile(values, 50);
const direct = median(rounds.map((r) => r.direct));
const queued = {
  postsPerSecond: median(rounds.map((r) => r.queued)),
  donePerSecond: median(rounds.map((r) => r.done)),
};
const ratio = median(rounds.map((r) => r.queued / r.direct));
const cpu = {
  direct: median(rounds.map((r) => r.directCpu)),
  queued: median(rounds.map((r) => r.queuedCpu)),
};
const memory = {
  direct: Math.max(...rounds.map((r) => r.directMb)),
  worker: Math.max(...rounds.map((r) => r.workerMb)),
};
/** The worst round: sessions are what must not grow. */
const sessions = SELECTED.includes('bluesky')
  ? {
      direct: Math.max(...rounds.map((r) => r.directSessions ?? 0)),
      queued: Math.max(...rounds.map((r) => r.queuedSessions ?? 0)),
    }
  : null;
const note = rounds.some((r) => r.windowed) ? windowNote(POSTS, MAX_SECONDS) : undefined;
const lateness = EXTRAS ? await scheduledLatency(SCHEDULED) : null;
await twitter.close();
await facebook.close();
await mastodon.close();
await linkedin.close();
await bluesky.close();
rmSync(BUILD_DIR, { recursive: true, force: true });
const load = `load average ${fmt(loadBefore, 1)} at the start, ${fmt(loadavg()[0]!, 1)} at the end, ${cpus().length} cores`;
const database = DATABASE_URL ? 'PostgreSQL' : 'SQLite';

printTable(
  `Social posting (median of ${ROUNDS} alternating round(s)), ${fmt(POSTS)} posts (split evenly over ${SELECTED.join(', ')}) to local fakes, ${WORKERS} worker process(es) (${WORKER.label}) x concurrency ${CONCURRENCY}, ${database}${note ? ` (${note})` : ''}; ${load}`,
  [
    { measure: 'direct loop: adapters -> fakes, posts/s', value: fmt(direct), ratio: '1.00 (baseline)' },
    {
      measure: 'through Herald: queue, claim, compose, post, record; posts/s at the fakes',
      value: fmt(queued.postsPerSecond),
      ratio: `${fmt(ratio, 2)} (median of per-round ratios)`,
    },
    {
      measure: 'through Herald, until every delivery is recorded done, posts/s',
      value: fmt(queued.donePerSecond),
      ratio: fmt(queued.donePerSecond / direct, 2),
    },
    { measure: 'CPU ms per post, direct loop process', value: fmt(cpu.direct, 2), ratio: '' },
    {
      measure: 'CPU ms per post, worker process(es)',
      value: fmt(cpu.queued, 2),
      ratio: fmt(cpu.direct / cpu.queued, 2),
    },
    {
      measure: 'peak RSS, direct loop / worker process (MB)',
      value: `${fmt(memory.direct)} / ${fmt(memory.worker)}`,
      ratio: fmt(memory.worker / memory.direct, 2),
    },
    ...(sessions
      ? [
          {
            measure: 'Bluesky sessions created per 1,000 posts, direct loop (worst round)',
            value: fmt(sessions.direct, 2),
            ratio: '',
          },
          {
            measure: 'Bluesky sessions created per 1,000 posts, through Herald (worst round; target 1)',
            value: fmt(sessions.queued, 2),
            ratio: '',
          },
        ]
      : []),
  ],
);
const platformsNote = SELECTED.join('+') === 'twitter+facebook' ? undefined : SELECTED.join('+');
const common = {
  bench: 'social',
  size: POSTS,
  ...(note || platformsNote ? { note: [platformsNote, note].filter(Boolean).join('; ') } : {}),
};
// The ratio is the median of the per-round ratios (each round's two runs saw the same machine load).
emit({
  ...common,
  primary: true,
  figure: `posts/s at the fakes through the queue, ${WORKERS} worker, ${database}`,
  value: queued.postsPerSecond,
  unit: 'posts/s',
  better: 'higher',
  baseline: 'same adapters in a direct loop',
  baselineValue: direct,
  ratio,
});
emit({
  ...common,
  figure: 'CPU per post, worker',
  value: cpu.queued,
  unit: 'ms',
  better: 'lower',
  baseline: 'direct loop',
  baselineValue: cpu.direct,
});
emit({
  ...common,
  figure: 'worker peak RSS',
  value: memory.worker,
  unit: 'MB',
  better: 'lower',
  baseline: 'direct loop process',
  baselineValue: memory.direct,
});
if (sessions) {
  emit({
    ...common,
    figure: 'Bluesky sessions created per 1,000 posts, through the queue (worst round)',
    value: sessions.queued,
    unit: 'sessions',
    better: 'lower',
    baseline: 'same adapter in a direct loop',
    baselineValue: sessions.direct,
  });
}
if (lateness) {
  printTable(
    `Scheduled instant -> request at the fake (ms), ${lateness.length} posts from ${SCHEDULED} items due over 5 s`,
    [
      {
        p50: fmt(percentile(lateness, 50)),
        p99: fmt(percentile(lateness, 99)),
        max: fmt(Math.max(...lateness)),
      },
    ],
  );
  emit({
    bench: 'social',
    size: null,
    figure: `scheduled instant -> request at the fake, p99 (${SCHEDULED} items due over 5 s)`,
    value: percentile(lateness, 99),
    unit: 'ms',
    better: 'lower',
  });
}
process.exit(0);
