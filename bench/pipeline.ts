// Pipeline benchmark (issue "Herald core"): throughput through the dry-run channel with 2 worker
// processes against a bare BullMQ worker in the same run; publish-to-delivery latency; scheduled
// due-instant-to-delivery latency. Usage: npx tsx bench/pipeline.ts [items=1000]
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { createContext, type Context } from '../src/context.js';
import { createLogger } from '../src/log.js';
import { createItem } from '../src/queues/item-flow.js';
import { requestPublish } from '../src/queues/publish-flow.js';
import { REDIS_URL, ROOT, fmt, percentile, printTable, stopAll, tempDir, until } from './lib.js';

const ITEMS = Number(process.argv[2] ?? 1000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const DATABASE_URL = process.env.BENCH_DATABASE_URL; // unset = SQLite, as a default install
const CONCURRENCY = 8;

async function bareRate(jobs: number): Promise<number> {
  const prefix = `{bench-bare-${process.pid}}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix });
  const children = Array.from({ length: WORKERS }, () =>
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/bare-worker.ts'), 'bare', prefix, String(CONCURRENCY)], { stdio: 'inherit', cwd: ROOT }),
  );
  await queue.pause();
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'x', data: { n: i + k } })));
  }
  await new Promise((r) => setTimeout(r, 2500));
  const started = performance.now();
  await queue.resume();
  await until(async () => (await queue.getJobCountByTypes('completed')) >= jobs, 120_000, 'bare jobs');
  const seconds = (performance.now() - started) / 1000;
  await stopAll(children);
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return jobs / seconds;
}

function freshPgUrl(label: string): string {
  const url = new URL(DATABASE_URL!);
  url.pathname = `/herald_bench_${label}_${process.pid}`;
  spawnSync('psql', [DATABASE_URL!, '-qc', `drop database if exists ${url.pathname.slice(1)}`, '-c', `create database ${url.pathname.slice(1)}`], { stdio: 'inherit' });
  return url.toString();
}

async function heraldContext(label: string): Promise<{ ctx: Context; env: NodeJS.ProcessEnv }> {
  const dataDir = tempDir(label);
  const prefix = `{bench-${label}-${process.pid}}`;
  const env = { ...process.env, HERALD_DATA_DIR: dataDir, REDIS_URL, HERALD_QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', HERALD_DELIVERY_CONCURRENCY: String(CONCURRENCY), HERALD_CONFIG: '', ...(DATABASE_URL ? { DATABASE_URL: freshPgUrl(label) } : {}) };
  const config = loadConfig({ env, cwd: dataDir });
  const ctx = await createContext(config, { redis: { url: REDIS_URL }, log: createLogger('warn') });
  return { ctx, env };
}

function startWorkers(env: NodeJS.ProcessEnv, queues: string[]) {
  return Array.from({ length: WORKERS }, () =>
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'worker', ...queues], { env, stdio: ['ignore', 'ignore', 'inherit'], cwd: ROOT }),
  );
}

async function doneCount(ctx: Context): Promise<number> {
  const row = await ctx.store.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'done').where('kind', '=', 'channel').executeTakeFirstOrThrow();
  return Number(row.n);
}

async function heraldThroughput(items: number) {
  const { ctx, env } = await heraldContext('throughput');
  const ids: string[] = [];
  for (let i = 0; i < items; i++) ids.push((await createItem(ctx.store, { title: `Item ${i}`, url: `https://example.org/${i}`, tags: ['bench'] }, 'bench')).id);
  // Publish everything onto a paused queue, then time the workers alone (as for the bare baseline).
  const social = ctx.queues.get('social');
  await social.pause();
  const publishStarted = performance.now();
  for (const id of ids) await requestPublish(ctx, id, { actor: 'bench' });
  const publishSeconds = (performance.now() - publishStarted) / 1000;
  const children = startWorkers(env, ['social']);
  await new Promise((r) => setTimeout(r, 2500));
  const started = performance.now();
  await social.resume();
  await until(async () => (await doneCount(ctx)) >= items * 2, 300_000, 'herald deliveries');
  const seconds = (performance.now() - started) / 1000;
  await stopAll(children);
  await ctx.close();
  return { itemsPerSecond: items / seconds, deliveriesPerSecond: (items * 2) / seconds, publishPerSecond: items / publishSeconds };
}

/** Items published one by one at a steady pace while workers run: how long until each is delivered. */
async function heraldLatency(items: number, perSecond: number) {
  const { ctx, env } = await heraldContext('latency');
  const ids: string[] = [];
  for (let i = 0; i < items; i++) ids.push((await createItem(ctx.store, { title: `Item ${i}`, url: `https://example.org/${i}` }, 'bench')).id);
  const children = startWorkers(env, ['social']);
  await new Promise((r) => setTimeout(r, 2500));
  const started = Date.now();
  for (let i = 0; i < ids.length; i++) {
    const wait = started + (i * 1000) / perSecond - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await requestPublish(ctx, ids[i]!, { actor: 'bench' });
  }
  await until(async () => (await doneCount(ctx)) >= items * 2, 300_000, 'latency deliveries');
  const rows = await ctx.store.db.selectFrom('deliveries').select(['createdAt', 'startedAt', 'finishedAt']).where('kind', '=', 'channel').execute();
  await stopAll(children);
  await ctx.close();
  return {
    toStart: rows.map((r) => Date.parse(r.startedAt!) - Date.parse(r.createdAt)),
    toDone: rows.map((r) => Date.parse(r.finishedAt!) - Date.parse(r.createdAt)),
  };
}

async function scheduledLatency(items: number) {
  const { ctx, env } = await heraldContext('scheduled');
  const children = startWorkers(env, ['publish', 'social']);
  await new Promise((r) => setTimeout(r, 2500));
  const due: Record<string, number> = {};
  const base = Date.now() + 3_000;
  for (let i = 0; i < items; i++) {
    const item = await createItem(ctx.store, { title: `Scheduled ${i}`, url: `https://example.org/s/${i}` }, 'bench');
    const at = new Date(base + Math.floor((i / items) * 5_000)).toISOString();
    await requestPublish(ctx, item.id, { at, actor: 'bench' });
    due[item.id] = Date.parse(at);
  }
  await until(async () => (await doneCount(ctx)) >= items * 2, 120_000, 'scheduled deliveries');
  const rows = await ctx.store.db.selectFrom('deliveries').select(['itemId', 'startedAt']).where('kind', '=', 'channel').execute();
  const lateness = rows.map((r) => Date.parse(r.startedAt!) - due[r.itemId]!);
  await stopAll(children);
  await ctx.close();
  return lateness;
}

const bare = await bareRate(ITEMS * 2);
const herald = await heraldThroughput(ITEMS);
const latency = await heraldLatency(ITEMS, 100);
const scheduled = await scheduledLatency(Math.min(ITEMS, 300));

printTable(`Pipeline throughput, ${ITEMS} items x 2 dry-run accounts, ${WORKERS} worker processes x concurrency ${CONCURRENCY}, ${DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, [
  { measure: 'bare BullMQ worker (no work), jobs/s', value: fmt(bare), ratio: '1.00 (baseline)' },
  { measure: 'Herald deliveries/s (claim, compose, record, complete)', value: fmt(herald.deliveriesPerSecond), ratio: fmt(herald.deliveriesPerSecond / bare, 2) },
  { measure: 'Herald items/s (2 deliveries each)', value: fmt(herald.itemsPerSecond), ratio: '' },
  { measure: 'publish calls/s (outbox transaction + enqueue, one by one)', value: fmt(herald.publishPerSecond), ratio: '' },
]);
printTable('Latency (ms)', [
  { measure: `publish -> delivery starts (${ITEMS} items at 100/s)`, p50: fmt(percentile(latency.toStart, 50)), p99: fmt(percentile(latency.toStart, 99)) },
  { measure: 'publish -> delivery done', p50: fmt(percentile(latency.toDone, 50)), p99: fmt(percentile(latency.toDone, 99)) },
  { measure: `scheduled due instant -> delivery starts (${scheduled.length} deliveries)`, p50: fmt(percentile(scheduled, 50)), p99: fmt(percentile(scheduled, 99)) },
]);
console.log(JSON.stringify({ bench: 'pipeline', items: ITEMS, bareJobsPerSecond: bare, deliveriesPerSecond: herald.deliveriesPerSecond, ratio: herald.deliveriesPerSecond / bare, publishToStartP50: percentile(latency.toStart, 50), publishToStartP99: percentile(latency.toStart, 99), scheduledP99: percentile(scheduled, 99) }));
process.exit(0);
