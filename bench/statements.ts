// SQL statements per publish, per dry-run channel delivery and per feed delivery (issue 14, "one publish, one
// read"). Every statement the database driver runs in this process is counted (transaction begin/commit
// included), in three phases: N items published now through requestPublish; the channel worker delivering
// them (in this process); the feed worker delivering them. Completions are awaited through worker events,
// so the bench's own waiting adds no statement.
// Baseline: the same phases on an earlier revision (`--baseline <rev>`, default the commit before the
// newest change to src/app/publishing.ts), built with `git archive`, in the same run.
// Usage: npx tsx bench/statements.ts [--size 50] [--baseline <rev>]   (BENCH_DATABASE_URL optional)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { REDIS_URL, ROOT, deleteKeys, fmt, freshPgUrl, printTable, sizedArgs, tempDir } from './lib.js';
import { emit } from './summary.js';

const argv = process.argv.slice(2);
const { size: ITEMS } = sizedArgs(50);
const DATABASE_URL = process.env.BENCH_DATABASE_URL; // unset = SQLite, as a default install
const database = DATABASE_URL ? 'PostgreSQL' : 'SQLite';

/** Counts statements at the driver: better-sqlite3's run/all/get/iterate and pg's Client.query. */
function countStatements(): { count: () => number } {
  let n = 0;
  const probe = new SQLite(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const original = statement[method] as (...args: unknown[]) => unknown;
    statement[method] = function (this: unknown, ...args: unknown[]) {
      n++;
      return original.apply(this, args);
    };
  }
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
    n++;
    return query.apply(this, args);
  };
  return { count: () => n };
}

interface Figures {
  publish: number;
  channel: number;
  feed: number;
  deliveries: { channel: number; feed: number };
}

/** Runs the three phases against the Herald source tree this file sits in. */
async function measure(): Promise<Figures> {
  const counter = countStatements();
  const { loadConfig } = await import('../src/config/load.js');
  const { createContext } = await import('../src/app/context.js');
  const { createLogger } = await import('../src/log.js');
  const { waitReady } = await import('../src/redis/connection.js');
  const { requestPublish } = await import('../src/app/publishing.js');
  const { createItem } = await import('../src/app/items.js');
  const { queueForDelivery } = await import('../src/queues/names.js');
  const { startWorkers } = await import('../workers/index.js');
  const dataDir = tempDir('statements');
  const prefix = `{bench-statements-${process.pid}}`;
  const env = {
    ...process.env,
    HERALD_DATA_DIR: dataDir,
    REDIS_URL,
    HERALD_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    HERALD_CONFIG: '',
    HERALD_PUBLIC_URL: 'http://herald.test',
    HERALD_DRY_RUN_LATENCY_MS: '0',
    ...(DATABASE_URL ? { DATABASE_URL: freshPgUrl(DATABASE_URL, 'herald_bench_statements') } : {}),
  };
  const config = loadConfig({ env, cwd: dataDir });
  const ctx = await createContext(config, { redis: { url: REDIS_URL }, log: createLogger('warn') });
  await waitReady(ctx.queues.connection);
  const ids: string[] = [];
  for (let i = 0; i < ITEMS; i++)
    ids.push(
      (await createItem(ctx.store, { title: `Item ${i}`, url: `https://example.org/${i}` }, 'bench')).id,
    );

  let before = counter.count();
  const deliveries = { channel: 0, feed: 0 };
  for (const id of ids) {
    const outcome = await requestPublish(ctx, id, { actor: 'bench' });
    for (const d of outcome.deliveries) if (d.kind === 'channel' || d.kind === 'feed') deliveries[d.kind]++;
  }
  const publish = (counter.count() - before) / ITEMS;

  const phase = async (kind: 'channel' | 'feed'): Promise<number> => {
    const running = startWorkers(ctx, [queueForDelivery(kind) as never]);
    let done = 0;
    const finished = new Promise<void>((resolve) => {
      for (const w of running.workers)
        w.on('completed', (job) => {
          if (job.name === 'deliver' && ++done === deliveries[kind]) resolve();
        });
    });
    before = counter.count();
    await finished;
    const used = counter.count() - before;
    await running.close();
    return used / deliveries[kind];
  };
  const channel = await phase('channel');
  const feed = deliveries.feed > 0 ? await phase('feed') : NaN;
  await ctx.close();
  await deleteKeys(prefix);
  rmSync(dataDir, { recursive: true, force: true });
  return { publish, channel, feed, deliveries };
}

/** The same phases on an earlier revision: its tree from git, this file and its helpers copied in. */
function measureAt(rev: string): Figures {
  const checkout = mkdtempSync(path.join(tmpdir(), 'herald-statements-'));
  try {
    execFileSync('sh', ['-c', `git -C "${ROOT}" archive --format=tar ${rev} | tar -x -C "${checkout}"`]);
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
    for (const file of ['statements.ts', 'lib.ts', 'summary.ts'])
      copyFileSync(path.join(ROOT, 'bench', file), path.join(checkout, 'bench', file));
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/statements.ts', '--child', '--size', String(ITEMS)],
      { cwd: checkout, encoding: 'utf8', env: process.env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (child.status !== 0) throw new Error(`bench: the baseline run at ${rev} failed`);
    return JSON.parse(child.stdout.trim().split('\n').pop()!) as Figures;
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

function defaultBaseline(): string {
  const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();
  return `${git('log', '-1', '--format=%H', '--', 'src/app/publishing.ts')}^`;
}

if (argv.includes('--child')) {
  console.log(JSON.stringify(await measure()));
  process.exit(0);
}
const i = argv.indexOf('--baseline');
const rev = i >= 0 ? argv[i + 1]! : defaultBaseline();
const label = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', rev], { encoding: 'utf8' }).trim();
const baseline = measureAt(rev);
const now = await measure();
const MEASURES = {
  publish: 'per publish',
  channel: 'per dry-run channel delivery',
  feed: 'per feed delivery',
} as const;
const KEYS = ['publish', 'channel', 'feed'] as const;
const rows = KEYS.map((k) => ({
  measure: MEASURES[k],
  [`before (${label})`]: fmt(baseline[k], 1),
  now: fmt(now[k], 1),
}));
printTable(
  `SQL statements, ${fmt(ITEMS)} items published now (${fmt(now.deliveries.channel)} channel and ${fmt(now.deliveries.feed)} feed deliveries), ${database}`,
  rows,
);
for (const k of KEYS)
  emit({
    bench: 'statements',
    size: ITEMS,
    figure: `SQL statements ${MEASURES[k]}, ${database}`,
    value: now[k],
    unit: 'statements',
    baseline: `the same at ${label}`,
    baselineValue: baseline[k],
    better: 'lower',
  });
