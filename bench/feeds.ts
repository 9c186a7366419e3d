// Feeds benchmark (issue 4; sized in issue 7).
// 1. Rebuild time and peak memory for a feed of N items, against JSON.stringify of the same items in the
//    same run (the floor), each measured in a fresh process (bench/feeds-child.ts). "main" = the main
//    feed in 3 formats (the builder); "full" = every variant (main, 2 languages, 8 tags) built and
//    written atomically with fsync; "one new item" = the rebuild after a publication. Target: within 5x
//    of the floor. Medians of 5 warm runs up to 10k items; at larger sizes one warm run, and no run with
//    a capped old space (100k items alone take more than it).
// 2. (extras) Publish -> the new item served in /feed.xml: a `herald worker feed` process, the API in this
//    process, SQLite; isolated publications (more than the rebuild interval apart) and a steady
//    stream of 2 per second (inside the interval, so throttled). Target: p50 under 2 s.
// 3. (--store) The feed service's own rebuild from a SQLite store of N published items (bench/feeds-store-child.ts,
//    a fresh process per build, cold): at the longest feed the configuration allows (1,000) and at N items per
//    feed. Its peak RSS is the figure of issue 19 (target 300 MB at 100k); the baseline is the same process
//    before the rebuild (imports and store open).
// Usage: npx tsx bench/feeds.ts [--size 1k] [--no-extras] [--publishes 15] [--store [--compiled] [--old-space MB]]
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/load.js';
import { createContext, type Context } from '../src/app/context.js';
import { createLogger } from '../src/log.js';
import { waitReady } from '../src/redis/connection.js';
import { buildServer } from '../src/http/server.js';
import { createItem } from '../src/app/items.js';
import { requestPublish } from '../src/app/publishing.js';
import {
  REDIS_URL,
  ROOT,
  deleteKeys,
  fmt,
  percentile,
  printTable,
  sizedArgs,
  stopAll,
  tempDir,
  until,
} from './lib.js';
import { emit } from './summary.js';

const { size: SIZE, extras: EXTRAS } = sizedArgs(1000);
const PUBLISHES = Number(process.argv[process.argv.indexOf('--publishes') + 1] ?? 15) || 15;
const CAPPED_HEAP_MB = 512;
const WARM_RUNS = SIZE <= 10_000 ? 5 : 1;
/** Past 10k items V8's default heap limit is too small for a feed of them all; the uncapped run gets room. */
const BIG_HEAP_MB = SIZE > 10_000 ? 16_384 : undefined;

type Measure = Record<string, number | string>;

function child(n: number, mode: 'feeds' | 'json', heapMb?: number): Measure {
  const heap = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  const run = spawnSync(
    process.execPath,
    [...heap, '--import', 'tsx', path.join(ROOT, 'bench/feeds-child.ts'), String(n), mode, String(WARM_RUNS)],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (run.status !== 0) throw new Error(`bench child ${n} ${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Measure;
}

function rebuild(n: number) {
  const json = child(n, 'json', BIG_HEAP_MB);
  const feeds = child(n, 'feeds', BIG_HEAP_MB);
  // V8 lets the heap grow lazily: the peak with a 512 MB old space shows what a rebuild really needs.
  const capped = BIG_HEAP_MB ? null : child(n, 'feeds', CAPPED_HEAP_MB);
  // Ratios against the floor timed in the same process, interleaved with the rebuilds (shared machines).
  const floor = Number(feeds.floorMs);
  const x = (ms: unknown) => `${fmt(Number(ms), 0)} ms (${fmt(Number(ms) / floor, 1)}x)`;
  const row = {
    items: fmt(n),
    'JSON.stringify (floor)': `${fmt(floor, 1)} ms, ${fmt(Number(json.bytes) / 1e6, 1)} MB`,
    'feeds written (main)': `${fmt(Number(feeds.mainBytes) / 1e6, 1)} MB`,
    'main feed, 3 formats': x(feeds.mainMs),
    [`full rebuild, ${feeds.variants} variants`]: x(feeds.ms),
    'first rebuild (cold)': x(feeds.coldMs),
    'after one new item': `${x(feeds.incrementalMs)}, ${feeds.incrementalFiles} files`,
    'peak RSS feeds / floor': `${feeds.peakMb} / ${json.peakMb} MB (items alone ${feeds.baselineMb} MB)`,
    [`peak RSS, old space ${CAPPED_HEAP_MB} MB`]: capped ? `${capped.peakMb} MB` : 'not run',
  };
  return { row, json, feeds, floor };
}

async function heraldApp(): Promise<{
  ctx: Context;
  http: FastifyInstance;
  env: NodeJS.ProcessEnv;
  dataDir: string;
}> {
  const dataDir = tempDir('feeds-latency');
  const env = {
    ...process.env,
    HERALD_DATA_DIR: dataDir,
    REDIS_URL,
    HERALD_QUEUE_PREFIX: `{bench-feeds-${process.pid}}`,
    LOG_LEVEL: 'warn',
    HERALD_CONFIG: '',
    HERALD_PUBLIC_URL: 'http://herald.bench',
  };
  const config = loadConfig({ env, cwd: dataDir });
  const ctx = await createContext(config, { redis: { url: REDIS_URL }, log: createLogger('warn') });
  await waitReady(ctx.queues.connection); // publishing refuses while the queue's connection is not up yet
  const http = await buildServer(ctx, { apiToken: 'bench-token-0123456789abcdef' });
  return { ctx, http, env, dataDir };
}

/** Publishes items `gapMs` apart; for each, the time until GET /feed.xml carries its link. */
async function publishToServed(
  ctx: Context,
  http: FastifyInstance,
  count: number,
  gapMs: number,
  label: string,
): Promise<number[]> {
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
    const item = await createItem(
      ctx.store,
      { title: `${label} ${i}`, url, body: 'Some **news**.', tags: ['bench'] },
      'bench',
    );
    waiting.set(url, Date.now());
    await requestPublish(ctx, item.id, { actor: 'bench' });
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await until(async () => waiting.size === 0, 60_000, `${label}: every item served`);
  clearInterval(poll);
  return latencies;
}

/** --compiled: the store child runs from `dist/` (npm run build) under plain node, as production runs. */
const COMPILED = process.argv.includes('--compiled');
/** --old-space MB: the store child's heap bound (default: room for feeds beyond the configuration's 1,000). */
const STORE_OLD_SPACE_MB = Number(process.argv[process.argv.indexOf('--old-space') + 1]) || 16_384;

function storeChild(args: string[]): Measure {
  const entry = COMPILED
    ? [path.join(ROOT, 'dist/bench/feeds-store-child.js')]
    : ['--import', 'tsx', path.join(ROOT, 'bench/feeds-store-child.ts')];
  const run = spawnSync(process.execPath, [`--max-old-space-size=${STORE_OLD_SPACE_MB}`, ...entry, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`bench store child ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Measure;
}

/** Seeds a store of N published items once, then one cold rebuild per feed length. */
function rebuildFromStore(n: number): void {
  const dir = tempDir('feeds-store');
  storeChild(['seed', dir, String(n)]);
  const rows = [...new Set([Math.min(n, 1000), n])].map((limit) => {
    rmSync(path.join(dir, 'feeds'), { recursive: true, force: true });
    const m = storeChild(['build', dir, String(limit)]);
    emit({
      bench: 'feeds',
      size: n,
      figure: `peak RSS of a rebuild from the store, ${fmt(limit)} items per feed`,
      value: Number(m.peakMb),
      unit: 'MB',
      better: 'lower',
      baseline: 'the same process before the rebuild',
      baselineValue: Number(m.baselineMb),
    });
    return {
      'published items': fmt(n),
      'items per feed': fmt(limit),
      variants: String(m.variants),
      'rebuild (cold)': `${fmt(Number(m.ms) / 1000, 1)} s`,
      'peak RSS / before the rebuild': `${m.peakMb} / ${m.baselineMb} MB`,
    };
  });
  rmSync(dir, { recursive: true, force: true });
  printTable('The feed service rebuilding every variant from a SQLite store (fresh process each)', rows);
}

if (process.argv.includes('--store')) {
  rebuildFromStore(SIZE);
  process.exit(0);
}

const measured = rebuild(SIZE);
const runs = WARM_RUNS > 1 ? `medians of ${WARM_RUNS} warm runs` : 'one warm run';
printTable(
  `Feed rebuild against JSON.stringify of the same items (each in a fresh process; ${runs}${BIG_HEAP_MB ? `; old space ${fmt(BIG_HEAP_MB)} MB` : ''})`,
  [measured.row],
);
const common = {
  bench: 'feeds',
  size: SIZE,
  better: 'lower' as const,
  baseline: 'JSON.stringify of the same items',
  baselineValue: measured.floor,
};
emit({
  ...common,
  primary: true,
  figure: 'main feed rebuild, 3 formats',
  value: Number(measured.feeds.mainMs),
  unit: 'ms',
});
emit({
  ...common,
  figure: `full rebuild, ${measured.feeds.variants} variants written with fsync`,
  value: Number(measured.feeds.ms),
  unit: 'ms',
});
emit({
  bench: 'feeds',
  size: SIZE,
  figure: 'peak RSS of the rebuild process',
  value: Number(measured.feeds.peakMb),
  unit: 'MB',
  better: 'lower',
  baseline: 'JSON.stringify process',
  baselineValue: Number(measured.json.peakMb),
});

if (EXTRAS) {
  const { ctx, http, env, dataDir } = await heraldApp();
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'worker', 'feed'],
    { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await until(
    async () => (await http.inject({ method: 'GET', url: '/feed.xml' })).statusCode === 200,
    30_000,
    'first feed',
  );
  await new Promise((r) => setTimeout(r, 3_000)); // the worker is up (its first check has run)
  const isolated = await publishToServed(
    ctx,
    http,
    PUBLISHES,
    ctx.config.feed.rebuildIntervalMs + 500,
    'isolated',
  );
  const stream = await publishToServed(ctx, http, PUBLISHES * 2, 500, 'stream');
  await stopAll([worker]);
  await http.close();
  await ctx.close();
  await deleteKeys(env.HERALD_QUEUE_PREFIX!);
  rmSync(dataDir, { recursive: true, force: true });

  const row = (label: string, values: number[]) => ({
    publications: label,
    n: String(values.length),
    p50: `${fmt(percentile(values, 50))} ms`,
    p90: `${fmt(percentile(values, 90))} ms`,
    max: `${fmt(Math.max(...values))} ms`,
  });
  printTable(
    `Publish -> new item served in /feed.xml (1 feed worker process, SQLite, rebuild interval ${ctx.config.feed.rebuildIntervalMs} ms)`,
    [
      row(`isolated (${ctx.config.feed.rebuildIntervalMs + 500} ms apart)`, isolated),
      row('a stream of 2 per second', stream),
    ],
  );
  emit({
    bench: 'feeds',
    size: null,
    figure: `publish -> served in /feed.xml, p50 (${PUBLISHES} isolated publications)`,
    value: percentile(isolated, 50),
    unit: 'ms',
    better: 'lower',
  });
}
process.exit(0);
