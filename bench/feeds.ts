// Feeds benchmark (issue 4).
// 1. Rebuild time and peak memory for feeds of 50, 1,000 and 10,000 items, against JSON.stringify of
//    the same items in the same run (the floor), each measured in a fresh process (bench/feeds-child.ts).
//    "main" = the main feed in 3 formats (the builder); "full" = every variant (main, 2 languages,
//    8 tags) built and written atomically with fsync; "one new item" = the rebuild after a publication.
//    Target: within 5x of the floor.
// 2. Publish -> the new item served in /feed.xml: a `herald worker feed` process, the API in this
//    process, SQLite; isolated publications (more than the rebuild interval apart) and a steady
//    stream of 2 per second (inside the interval, so throttled). Target: p50 under 2 s.
// Usage: npx tsx bench/feeds.ts [sizes=50,1000,10000] [publishes=15]
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/load.js';
import { createContext, type Context } from '../src/context.js';
import { createLogger } from '../src/log.js';
import { buildServer } from '../src/http/server.js';
import { createItem } from '../src/queues/item-flow.js';
import { requestPublish } from '../src/queues/publish-flow.js';
import { REDIS_URL, ROOT, fmt, percentile, printTable, stopAll, tempDir, until } from './lib.js';

const SIZES = (process.argv[2] ?? '50,1000,10000').split(',').map(Number);
const PUBLISHES = Number(process.argv[3] ?? 15);
const CAPPED_HEAP_MB = 512;

type Measure = Record<string, number | string>;

function child(n: number, mode: 'feeds' | 'json', heapMb?: number): Measure {
  const heap = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  const run = spawnSync(process.execPath, [...heap, '--import', 'tsx', path.join(ROOT, 'bench/feeds-child.ts'), String(n), mode], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`bench child ${n} ${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Measure;
}

function rebuildTable(): Array<Record<string, string>> {
  return SIZES.map((n) => {
    const json = child(n, 'json');
    const feeds = child(n, 'feeds');
    // V8 lets the heap grow lazily: the peak with a 512 MB old space shows what a rebuild really needs.
    const capped = child(n, 'feeds', CAPPED_HEAP_MB);
    // Ratios against the floor timed in the same process, interleaved with the rebuilds (shared machines).
    const floor = Number(feeds.floorMs);
    const x = (ms: unknown) => `${fmt(Number(ms), 0)} ms (${fmt(Number(ms) / floor, 1)}x)`;
    return {
      items: fmt(n),
      'JSON.stringify (floor)': `${fmt(floor, 1)} ms, ${fmt(Number(json.bytes) / 1e6, 1)} MB`,
      'feeds written (main)': `${fmt(Number(feeds.mainBytes) / 1e6, 1)} MB`,
      'main feed, 3 formats': x(feeds.mainMs),
      [`full rebuild, ${feeds.variants} variants`]: x(feeds.ms),
      'first rebuild (cold)': x(feeds.coldMs),
      'after one new item': `${x(feeds.incrementalMs)}, ${feeds.incrementalFiles} files`,
      'peak RSS feeds / floor': `${feeds.peakMb} / ${json.peakMb} MB (items alone ${feeds.baselineMb} MB)`,
      [`peak RSS, old space ${CAPPED_HEAP_MB} MB`]: `${capped.peakMb} MB`,
    };
  });
}

async function heraldApp(): Promise<{ ctx: Context; http: FastifyInstance; env: NodeJS.ProcessEnv }> {
  const dataDir = tempDir('feeds-latency');
  const env = { ...process.env, HERALD_DATA_DIR: dataDir, REDIS_URL, HERALD_QUEUE_PREFIX: `{bench-feeds-${process.pid}}`, LOG_LEVEL: 'warn', HERALD_CONFIG: '', HERALD_PUBLIC_URL: 'http://herald.bench' };
  const config = loadConfig({ env, cwd: dataDir });
  const ctx = await createContext(config, { redis: { url: REDIS_URL }, log: createLogger('warn') });
  const http = await buildServer(ctx, { apiToken: 'bench-token-0123456789abcdef' });
  return { ctx, http, env };
}

/** Publishes items `gapMs` apart; for each, the time until GET /feed.xml carries its link. */
async function publishToServed(ctx: Context, http: FastifyInstance, count: number, gapMs: number, label: string): Promise<number[]> {
  const latencies: number[] = [];
  const waiting = new Map<string, number>();
  const poll = setInterval(() => {
    void http.inject({ method: 'GET', url: '/feed.xml' }).then((res) => {
      for (const [url, started] of waiting) {
        if (res.body.includes(`<link>${url}</link>`)) {
          latencies.push(Date.now() - started);
          waiting.delete(url);
        }
      }
    });
  }, 20);
  for (let i = 0; i < count; i++) {
    const url = `https://www.example.org/news/${label}-${i}`;
    const item = await createItem(ctx.store, { title: `${label} ${i}`, url, body: 'Some **news**.', tags: ['bench'] }, 'bench');
    waiting.set(url, Date.now());
    await requestPublish(ctx, item.id, { actor: 'bench' });
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await until(async () => waiting.size === 0, 60_000, `${label}: every item served`);
  clearInterval(poll);
  return latencies;
}

const rebuilds = rebuildTable();
printTable('Feed rebuild against JSON.stringify of the same items (each in a fresh process; medians of 5 warm runs)', rebuilds);

const { ctx, http, env } = await heraldApp();
const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'worker', 'feed'], { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
await until(async () => (await http.inject({ method: 'GET', url: '/feed.xml' })).statusCode === 200, 30_000, 'first feed');
await new Promise((r) => setTimeout(r, 3_000)); // the worker is up (its first check has run)
const isolated = await publishToServed(ctx, http, PUBLISHES, ctx.config.feed.rebuildIntervalMs + 500, 'isolated');
const stream = await publishToServed(ctx, http, PUBLISHES * 2, 500, 'stream');
await stopAll([worker]);
await http.close();
await ctx.close();

const row = (label: string, values: number[]) => ({ publications: label, n: String(values.length), p50: `${fmt(percentile(values, 50))} ms`, p90: `${fmt(percentile(values, 90))} ms`, max: `${fmt(Math.max(...values))} ms` });
printTable(`Publish -> new item served in /feed.xml (1 feed worker process, SQLite, rebuild interval ${ctx.config.feed.rebuildIntervalMs} ms)`, [
  row(`isolated (${ctx.config.feed.rebuildIntervalMs + 500} ms apart)`, isolated),
  row('a stream of 2 per second', stream),
]);
