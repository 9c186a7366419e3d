// Pipeline benchmark (issue "Herald core"; sized in issue 7). N items x 2 dry-run accounts = 2N deliveries
// through 2 worker processes, against a bare BullMQ no-op worker on the same 2N jobs in the same run; peak
// RSS of the workers against the bare workers'. Then, on top of those N items (same database, same
// workers): publish-to-delivery latency for 1,000 more items published at 100/s, and scheduled
// due-instant-to-delivery latency. Items are seeded in batches (bench/seed.ts); the first 1,000 are
// published one by one through requestPublish (the publish calls/s figure), the rest in batches.
// A backlog not worked off within --max-seconds is measured over that window (and labelled so).
// Usage: npx tsx bench/pipeline.ts [--size 1k] [--max-seconds 120]   (BENCH_WORKERS, BENCH_DATABASE_URL optional)
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { createContext, type Context } from '../src/app/context.js';
import { createLogger } from '../src/log.js';
import { waitReady } from '../src/redis/connection.js';
import { requestPublish } from '../src/app/publishing.js';
import {
  freshPgUrl,
  REDIS_URL,
  ROOT,
  deleteKeys,
  fmt,
  measureWindow,
  memoryOf,
  percentile,
  pollEveryMs,
  printTable,
  sizedArgs,
  sizeLabel,
  stopAll,
  tempDir,
  until,
  windowNote,
} from './lib.js';
import { publishDrafts, seedDraftItems } from './seed.js';
import { emit } from './summary.js';

const { size: ITEMS, maxSeconds: MAX_SECONDS } = sizedArgs(1000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const DATABASE_URL = process.env.BENCH_DATABASE_URL; // unset = SQLite, as a default install
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** Node options of Herald's worker processes, e.g. "--max-old-space-size=128" (what bin/herald.js gives them). */
const WORKER_NODE_ARGS = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
const METRICS_PORT = 19_600 + (process.pid % 300);
const ONE_BY_ONE = Math.min(ITEMS, 1000);
const LATENCY_ITEMS = 1000;
const LATENCY_RATE = 100;
const SCHEDULED_ITEMS = 300;
const JOBS = ITEMS * 2;
const EVERY = pollEveryMs(JOBS);
const database = DATABASE_URL ? 'PostgreSQL' : 'SQLite';

const peakOf = (children: ChildProcess[]) => Math.max(...children.map((c) => memoryOf(c.pid!).peak));

async function bareRate(jobs: number) {
  const prefix = `{bench-bare-${process.pid}}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix });
  const children = Array.from({ length: WORKERS }, () =>
    spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench/bare-worker.ts'), 'bare', prefix, String(CONCURRENCY)],
      { stdio: 'inherit', cwd: ROOT },
    ),
  );
  await queue.pause();
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(
      Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'x', data: { n: i + k } })),
    );
  }
  await new Promise((r) => setTimeout(r, 2500));
  await queue.resume();
  const left = async () =>
    Object.values(await queue.getJobCounts('wait', 'active', 'prioritized', 'delayed')).reduce(
      (a, b) => a + b,
      0,
    );
  const run = await measureWindow(jobs, async () => jobs - (await left()), {
    maxSeconds: MAX_SECONDS,
    everyMs: EVERY,
  });
  const peakMb = peakOf(children);
  await stopAll(children);
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { perSecond: run.done / run.seconds, windowed: run.windowed, seconds: run.seconds, peakMb };
}

async function heraldContext(label: string) {
  const dataDir = tempDir(label);
  const prefix = `{bench-${label}-${process.pid}}`;
  const env = {
    ...process.env,
    HERALD_DATA_DIR: dataDir,
    REDIS_URL,
    HERALD_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    HERALD_DELIVERY_CONCURRENCY: String(CONCURRENCY),
    HERALD_CONFIG: '',
    ...(DATABASE_URL ? { DATABASE_URL: freshPgUrl(DATABASE_URL, `herald_bench_${label}`) } : {}),
  };
  const config = loadConfig({ env, cwd: dataDir });
  const ctx = await createContext(config, { redis: { url: REDIS_URL }, log: createLogger('warn') });
  await waitReady(ctx.queues.connection); // publishing refuses while the queue's connection is not up yet
  return { ctx, env, dataDir, prefix };
}

function startWorkers(env: NodeJS.ProcessEnv, queues: string[]) {
  return Array.from({ length: WORKERS }, (_, i) =>
    spawn(
      process.execPath,
      [...WORKER_NODE_ARGS, '--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'worker', ...queues],
      {
        env: { ...env, HERALD_METRICS_PORT: String(METRICS_PORT + i) },
        stdio: ['ignore', 'ignore', 'inherit'],
        cwd: ROOT,
      },
    ),
  );
}

async function doneCount(ctx: Context, itemIds?: string[]): Promise<number> {
  let query = ctx.store.db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'done')
    .where('kind', '=', 'channel');
  if (itemIds) query = query.where('itemId', 'in', itemIds);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** N items published onto a paused queue, then the workers alone are timed (as for the bare baseline). */
async function heraldThroughput(ctx: Context, env: NodeJS.ProcessEnv) {
  const seedStarted = performance.now();
  const ids = await seedDraftItems(ctx, ITEMS, (i) => ({
    title: `Item ${i}`,
    url: `https://example.org/${i}`,
    tags: ['bench'],
  }));
  const social = ctx.queues.get('channel');
  await social.pause();
  const publishStarted = performance.now();
  for (const id of ids.slice(0, ONE_BY_ONE)) await requestPublish(ctx, id, { actor: 'bench' });
  const publishPerSecond = ONE_BY_ONE / ((performance.now() - publishStarted) / 1000);
  await publishDrafts(ctx, ids.slice(ONE_BY_ONE));
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const children = startWorkers(env, ['channel']);
  await new Promise((r) => setTimeout(r, 2500));
  await social.resume();
  const run = await measureWindow(JOBS, () => doneCount(ctx), { maxSeconds: MAX_SECONDS, everyMs: EVERY });
  const peakMb = peakOf(children);
  const busyRetries = await busyRetriesOfWorkers();
  await stopAll(children);
  // The rest of the backlog would hold up the latency runs. obliterate works 1,000 jobs per call (drain
  // would remove 100k+ in one script and block the Redis that others share).
  if (run.windowed) await social.obliterate({ force: true });
  return {
    perSecond: run.done / run.seconds,
    windowed: run.windowed,
    seconds: run.seconds,
    publishPerSecond,
    seedSeconds,
    peakMb,
    busyPerThousand: (busyRetries / Math.max(1, run.done)) * 1000,
  };
}

/** SQLite statements the workers tried again because another process held the write lock (their /metrics). */
async function busyRetriesOfWorkers(): Promise<number> {
  let sum = 0;
  for (let i = 0; i < WORKERS; i++) {
    const text = await (await fetch(`http://127.0.0.1:${METRICS_PORT + i}/metrics`)).text();
    sum += Number(/^herald_sqlite_busy_retries_total (\d+)/m.exec(text)?.[1] ?? 0);
  }
  return sum;
}

/** Items published one by one at a steady pace while workers run: how long until each is delivered. */
async function heraldLatency(ctx: Context) {
  const ids = await seedDraftItems(ctx, LATENCY_ITEMS, (i) => ({
    title: `Latency ${i}`,
    url: `https://example.org/l/${i}`,
  }));
  const started = Date.now();
  for (let i = 0; i < ids.length; i++) {
    const wait = started + (i * 1000) / LATENCY_RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await requestPublish(ctx, ids[i]!, { actor: 'bench' });
  }
  await until(async () => (await doneCount(ctx, ids)) >= ids.length * 2, 300_000, 'latency deliveries', 50);
  const rows = await ctx.store.db
    .selectFrom('deliveries')
    .select(['createdAt', 'startedAt', 'finishedAt'])
    .where('kind', '=', 'channel')
    .where('itemId', 'in', ids)
    .execute();
  return {
    toStart: rows.map((r) => Date.parse(r.startedAt!) - Date.parse(r.createdAt)),
    toDone: rows.map((r) => Date.parse(r.finishedAt!) - Date.parse(r.createdAt)),
  };
}

/** Items scheduled over 5 s (all scheduled before the first is due): from each due instant to its delivery starting. */
async function scheduledLatency(ctx: Context) {
  const ids = await seedDraftItems(ctx, SCHEDULED_ITEMS, (i) => ({
    title: `Scheduled ${i}`,
    url: `https://example.org/s/${i}`,
  }));
  const due = new Map<string, number>();
  const base = Date.now() + 3_000 + SCHEDULED_ITEMS * 10;
  for (const [i, id] of ids.entries()) {
    const at = new Date(base + Math.floor((i / SCHEDULED_ITEMS) * 5_000)).toISOString();
    await requestPublish(ctx, id, { at, actor: 'bench' });
    due.set(id, Date.parse(at));
  }
  if (Date.now() >= base)
    console.error(`warning: scheduling ended ${Date.now() - base} ms after the first due instant`);
  await until(async () => (await doneCount(ctx, ids)) >= ids.length * 2, 120_000, 'scheduled deliveries', 50);
  const rows = await ctx.store.db
    .selectFrom('deliveries')
    .select(['itemId', 'startedAt'])
    .where('kind', '=', 'channel')
    .where('itemId', 'in', ids)
    .execute();
  return rows.map((r) => Date.parse(r.startedAt!) - due.get(r.itemId)!);
}

const bare = await bareRate(JOBS);
const { ctx, env, dataDir, prefix } = await heraldContext('pipeline');
const herald = await heraldThroughput(ctx, env);
const workers = startWorkers(env, ['publish', 'channel']);
await new Promise((r) => setTimeout(r, 2500));
const latency = await heraldLatency(ctx);
const scheduled = await scheduledLatency(ctx);
await stopAll(workers);
await ctx.close();
await deleteKeys(prefix);
rmSync(dataDir, { recursive: true, force: true });

const note = herald.windowed || bare.windowed ? windowNote(ITEMS, MAX_SECONDS) : undefined;
printTable(
  `Pipeline throughput, ${fmt(ITEMS)} items x 2 dry-run accounts = ${fmt(JOBS)} deliveries, ${WORKERS} worker processes x concurrency ${CONCURRENCY}, ${database}${note ? ` (${note})` : ''}`,
  [
    { measure: 'bare BullMQ worker (no work), jobs/s', value: fmt(bare.perSecond), ratio: '1.00 (baseline)' },
    {
      measure: 'Herald deliveries/s (claim, compose, record, complete)',
      value: fmt(herald.perSecond),
      ratio: fmt(herald.perSecond / bare.perSecond, 2),
    },
    { measure: 'Herald items/s (2 deliveries each)', value: fmt(herald.perSecond / 2), ratio: '' },
    {
      measure: `publish calls/s (outbox transaction + enqueue, one by one, first ${fmt(ONE_BY_ONE)} items)`,
      value: fmt(herald.publishPerSecond),
      ratio: '',
    },
    { measure: 'SQLite busy retries per 1,000 deliveries', value: fmt(herald.busyPerThousand, 1), ratio: '' },
    { measure: 'seeding: items + publication (s)', value: fmt(herald.seedSeconds, 1), ratio: '' },
    {
      measure: 'peak RSS per worker process, bare / Herald (MB)',
      value: `${fmt(bare.peakMb)} / ${fmt(herald.peakMb)}`,
      ratio: fmt(herald.peakMb / bare.peakMb, 2),
    },
  ],
);
printTable(`Latency (ms), on top of the ${fmt(ITEMS)} items`, [
  {
    measure: `publish -> delivery starts (${LATENCY_ITEMS} items at ${LATENCY_RATE}/s)`,
    p50: fmt(percentile(latency.toStart, 50)),
    p99: fmt(percentile(latency.toStart, 99)),
  },
  {
    measure: 'publish -> delivery done',
    p50: fmt(percentile(latency.toDone, 50)),
    p99: fmt(percentile(latency.toDone, 99)),
  },
  {
    measure: `scheduled due instant -> delivery starts (${scheduled.length} deliveries)`,
    p50: fmt(percentile(scheduled, 50)),
    p99: fmt(percentile(scheduled, 99)),
  },
]);
const common = { bench: 'pipeline', size: ITEMS, ...(note ? { note } : {}) };
emit({
  ...common,
  primary: true,
  figure: `deliveries/s, ${WORKERS} dry-run worker processes, ${database}`,
  value: herald.perSecond,
  unit: 'jobs/s',
  better: 'higher',
  baseline: 'bare BullMQ no-op worker, same jobs',
  baselineValue: bare.perSecond,
});
emit({
  ...common,
  figure: 'worker peak RSS',
  value: herald.peakMb,
  unit: 'MB',
  better: 'lower',
  baseline: 'bare worker',
  baselineValue: bare.peakMb,
});
emit({
  bench: 'pipeline',
  size: ITEMS,
  figure: `publish -> delivery starts, p99 (${sizeLabel(LATENCY_ITEMS)} more at ${LATENCY_RATE}/s)`,
  value: percentile(latency.toStart, 99),
  unit: 'ms',
  better: 'lower',
});
emit({
  bench: 'pipeline',
  size: ITEMS,
  figure: `scheduled due -> delivery starts, p99 (${SCHEDULED_ITEMS} items)`,
  value: percentile(scheduled, 99),
  unit: 'ms',
  better: 'lower',
});
process.exit(0);
