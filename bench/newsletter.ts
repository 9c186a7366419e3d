// Newsletter benchmark (issue 5; sized in issue 7). Through the queue: N contacts, one `herald worker
// newsletter` process, a local smtp-server sink in its own process; messages/s, CPU per message and the
// worker's memory. Against, in the same run and at the same size: (a) nodemailer alone sending the same
// messages rendered beforehand, same sink, same pool. Extras (size-independent): (b) the naive way, MJML
// compiled per recipient, on a sample; MJML compile time per newsletter and Handlebars render time per
// recipient. A backlog not sent within --max-seconds is measured over that window (and labelled so).
// Usage: npx tsx bench/newsletter.ts [--size 10k] [--max-seconds 60] [--no-extras]
//        (BENCH_DATABASE_URL=postgres://... for PostgreSQL; BENCH_USE_DIST=1: the worker runs from the
//        checkout's freshly built dist/, as npm run bench arranges, instead of a private build)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { createContext, type Context } from '../src/app/context.js';
import { createLogger } from '../src/log.js';
import { waitReady } from '../src/redis/connection.js';
import { createItem } from '../src/app/items.js';
import { requestPublish } from '../src/app/publishing.js';
import { importContacts } from '../src/store/member-import.js';
import { progressOf } from '../src/store/newsletters.js';
import { createNewsletter } from '../src/newsletter/staff-tools.js';
import { startSend } from '../src/newsletter/send-flow.js';
import { clearLayoutCache } from '../src/newsletter/templates.js';
import { compileNewsletter, renderFor } from '../src/newsletter/render.js';
import { BENCH_BRANDING, BENCH_ITEM_FIELDS, benchItem } from './newsletter-fixtures.js';
import {
  freshPgUrl,
  REDIS_URL,
  ROOT,
  cpuMsOf,
  deleteKeys,
  fmt,
  measureWindow,
  memoryOf,
  pollEveryMs,
  printTable,
  sizedArgs,
  stopAll,
  tempDir,
  until,
  windowNote,
  workerCommand,
} from './lib.js';
import { emit } from './summary.js';

const { size: CONTACTS, maxSeconds: MAX_SECONDS, extras: EXTRAS } = sizedArgs(10_000);
const POOL = 5;
const CONCURRENCY = 20;
const DATABASE_URL = process.env.BENCH_DATABASE_URL;
const made: string[] = [];
const scratch = (label: string) => {
  const dir = tempDir(label);
  made.push(dir);
  return dir;
};

interface Sink {
  port: number;
  child: ChildProcess;
  count(): Promise<number>;
}

async function startSink(): Promise<Sink> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/smtp-sink.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const count = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { count: number }) => resolve(m.count));
      child.send({ type: 'count' });
    });
  return { port, child, count };
}

function contactsCsv(n: number): string {
  const rows = ['authority,country,name,email,language'];
  for (let i = 0; i < n; i++)
    rows.push(
      `City ${Math.floor(i / 5)},FR,Contact ${i},contact${i}@city${i % 97}.example.eu,${i % 2 ? 'fr' : 'en'}`,
    );
  return rows.join('\n');
}

async function throughQueue(n: number, sink: Sink, command: string[]) {
  const label = `nl${n}`;
  const dataDir = scratch(label);
  const env = {
    ...process.env,
    HERALD_CONFIG: '',
    HERALD_DATA_DIR: dataDir,
    REDIS_URL,
    HERALD_QUEUE_PREFIX: `{bench-${label}-${process.pid}}`,
    LOG_LEVEL: 'warn',
    HERALD_PUBLIC_URL: 'https://herald.example.org',
    SMTP_URL: `smtp://127.0.0.1:${sink.port}?ignoreTLS=true`,
    MAIL_FROM: 'Alliance <news@alliance.example>',
    HERALD_NEWSLETTER_POOL_SIZE: String(POOL),
    HERALD_NEWSLETTER_CONCURRENCY: String(CONCURRENCY),
    HERALD_NEWSLETTER_RATE: '1000000',
    HERALD_NEWSLETTER_POSTAL_ADDRESS: BENCH_BRANDING.postalAddress,
    HERALD_NEWSLETTER_LOGO_URL: BENCH_BRANDING.logoUrl,
    HERALD_DIGEST_ENABLED: 'false',
    ...(DATABASE_URL ? { DATABASE_URL: freshPgUrl(DATABASE_URL, `herald_bench_${label}`) } : {}),
  };
  const config = loadConfig({ env, cwd: dataDir });
  const ctx: Context = await createContext(config, { redis: { url: REDIS_URL }, log: createLogger('warn') });
  await waitReady(ctx.queues.connection); // publishing refuses while the queue's connection is not up yet
  await importContacts(ctx.store, contactsCsv(n), { actor: 'bench' });
  const item = await createItem(ctx.store, BENCH_ITEM_FIELDS, 'bench');
  await requestPublish(ctx, item.id, { actor: 'bench' });
  const newsletter = await createNewsletter(ctx, { kind: 'announcement', itemIds: [item.id] }, 'bench');
  const queue = ctx.queues.get('newsletter');
  await queue.pause();
  const outboxStarted = performance.now();
  await startSend(ctx, newsletter.id, { actor: 'bench' });
  const outboxSeconds = (performance.now() - outboxStarted) / 1000;
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const worker = spawn(process.execPath, [...nodeArgs, ...command, 'worker', 'newsletter'], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await until(async () => (await queue.getWorkersCount()) > 0, 30_000, 'newsletter worker');
  await new Promise((r) => setTimeout(r, 1_000));
  const idle = memoryOf(worker.pid!).rss;
  const before = await sink.count();
  const cpuBefore = cpuMsOf(worker.pid!);
  const samples: Array<{ done: number; rss: number }> = [];
  await queue.resume();
  const run = await measureWindow(n, async () => (await progressOf(ctx.store.db, newsletter.id)).sent, {
    maxSeconds: MAX_SECONDS,
    everyMs: pollEveryMs(n),
    onSample: (sent) => samples.push({ done: sent / n, rss: memoryOf(worker.pid!).rss }),
  });
  const cpuPerMessage = (cpuMsOf(worker.pid!) - cpuBefore) / run.done;
  const memory = memoryOf(worker.pid!);
  const accepted = (await sink.count()) - before;
  await stopAll([worker]);
  await ctx.close();
  await deleteKeys(env.HERALD_QUEUE_PREFIX);
  const at = (f: number) => samples.find((s) => s.done >= f)?.rss ?? NaN;
  return {
    n,
    sent: run.done,
    seconds: run.seconds,
    windowed: run.windowed,
    perSecond: run.done / run.seconds,
    cpuPerMessage,
    accepted,
    outboxSeconds,
    idle,
    peak: memory.peak,
    rssAt: { q1: at(0.25), q2: at(0.5), q3: at(0.75), end: memory.rss },
  };
}

function nodemailerAlone(
  n: number,
  sink: Sink,
): { perSecond: number; rssPeakMb: number; cpuPerMessage: number; windowed: boolean } {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'bench/newsletter-baseline.ts'),
      String(sink.port),
      String(n),
      String(POOL),
      String(MAX_SECONDS),
    ],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    sent: number;
    seconds: number;
    rssPeakMb: number;
    cpuMs: number;
  };
  return {
    perSecond: result.sent / result.seconds,
    rssPeakMb: result.rssPeakMb,
    cpuPerMessage: result.cpuMs / result.sent,
    windowed: result.sent < n,
  };
}

/** The naive way: MJML compiled for every recipient (the layout cache cleared each time), then rendered. */
async function mjmlPerRecipient(sample: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < sample; i++) {
    clearLayoutCache();
    const compiled = await compileNewsletter({
      kind: 'announcement',
      items: [benchItem],
      language: i % 2 ? 'fr' : 'en',
      branding: BENCH_BRANDING,
    });
    renderFor(compiled, {
      name: `Contact ${i}`,
      email: `c${i}@example.eu`,
      authorityName: 'City',
      unsubscribeUrl: 'https://herald.example.org/u/x',
    });
  }
  return sample / ((performance.now() - started) / 1000);
}

async function renderTimes() {
  const compileMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    clearLayoutCache();
    const t0 = performance.now();
    await compileNewsletter({
      kind: 'announcement',
      items: [benchItem],
      language: 'en',
      branding: BENCH_BRANDING,
    });
    compileMs.push(performance.now() - t0);
  }
  const compiled = await compileNewsletter({
    kind: 'digest',
    items: [benchItem, { ...benchItem, id: 'itm_2' }, { ...benchItem, id: 'itm_3' }],
    language: 'fr',
    branding: BENCH_BRANDING,
  });
  const runs = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++)
    renderFor(compiled, {
      name: `Contact ${i}`,
      email: `c${i}@example.eu`,
      authorityName: 'City',
      unsubscribeUrl: `https://herald.example.org/u/${i}`,
    });
  const renderUs = ((performance.now() - t0) * 1000) / runs;
  compileMs.sort((a, b) => a - b);
  return { compileMedianMs: compileMs[5]!, renderUs };
}

const worker = workerCommand(scratch('build'));
const sink = await startSink();
const herald = await throughQueue(CONTACTS, sink, worker.args);
const alone = nodemailerAlone(CONTACTS, sink);
const naive = EXTRAS ? await mjmlPerRecipient(40) : null;
const times = EXTRAS ? await renderTimes() : null;
await stopAll([sink.child]);
for (const dir of made) rmSync(dir, { recursive: true, force: true });

const database = DATABASE_URL ? 'PostgreSQL' : 'SQLite';
const note = herald.windowed || alone.windowed ? windowNote(CONTACTS, MAX_SECONDS) : undefined;
printTable(
  `Newsletter throughput: ${fmt(CONTACTS)} contacts, pool ${POOL}, worker concurrency ${CONCURRENCY}, ${database}, no DKIM${note ? ` (${note})` : ''}`,
  [
    {
      measure: '(a) nodemailer alone, pre-rendered, same sink and pool (msg/s)',
      value: fmt(alone.perSecond),
      ratio: '1.00 (floor of the stack)',
    },
    {
      measure: 'Herald through the queue: claim, re-check, render, mark, send, record (msg/s)',
      value: fmt(herald.perSecond),
      ratio: `${fmt(herald.perSecond / alone.perSecond, 2)} of (a) (target >= 0.70)`,
    },
    ...(naive && times
      ? [
          {
            measure: '(b) naive: MJML compiled per recipient + render, 40 sampled, no sending (msg/s)',
            value: fmt(naive, 1),
            ratio: `queue end to end is ${fmt(herald.perSecond / naive, 0)}x faster (target >= 100x)`,
          },
          {
            measure: 'Herald rendering stage: Handlebars render + text part per recipient (msg/s)',
            value: fmt(1e6 / times.renderUs),
            ratio: `${fmt(1e6 / times.renderUs / naive, 0)}x the naive rendering`,
          },
        ]
      : []),
    { measure: 'CPU per message, nodemailer alone (ms)', value: fmt(alone.cpuPerMessage, 2), ratio: '' },
    {
      measure: 'CPU per message, Herald worker (ms; all of it: queue, SQL, render, send)',
      value: fmt(herald.cpuPerMessage, 2),
      ratio: `${fmt(alone.cpuPerMessage / herald.cpuPerMessage, 2)} of (a) by CPU time`,
    },
    {
      measure: 'outbox step: recipient rows + jobs for the whole list (s)',
      value: fmt(herald.outboxSeconds, 2),
      ratio: '',
    },
  ],
);
const mb = (v: number) => (Number.isFinite(v) ? fmt(v) : '—');
printTable(`Worker process memory (MB; ${worker.label})`, [
  {
    run: `${fmt(herald.n)} contacts`,
    idle: mb(herald.idle),
    at25: mb(herald.rssAt.q1),
    at50: mb(herald.rssAt.q2),
    at75: mb(herald.rssAt.q3),
    end: mb(herald.rssAt.end),
    peak: mb(herald.peak),
  },
  {
    run: `(a) nodemailer alone (tsx)`,
    idle: '',
    at25: '',
    at50: '',
    at75: '',
    end: '',
    peak: mb(alone.rssPeakMb),
  },
]);
const common = { bench: 'newsletter', size: CONTACTS, ...(note ? { note } : {}) };
emit({
  ...common,
  primary: true,
  figure: `msg/s through the queue to an SMTP sink, 1 worker, ${database}`,
  value: herald.perSecond,
  unit: 'msg/s',
  better: 'higher',
  baseline: 'nodemailer alone, pre-rendered, same sink and pool',
  baselineValue: alone.perSecond,
});
emit({
  ...common,
  figure: 'CPU per message, worker',
  value: herald.cpuPerMessage,
  unit: 'ms',
  better: 'lower',
  baseline: 'nodemailer alone',
  baselineValue: alone.cpuPerMessage,
});
emit({
  ...common,
  figure: `worker peak RSS (${worker.label})`,
  value: herald.peak,
  unit: 'MB',
  better: 'lower',
  baseline: 'nodemailer-alone process (tsx)',
  baselineValue: alone.rssPeakMb,
});
if (naive && times) {
  printTable('Rendering', [
    {
      measure: 'MJML compile per newsletter and language (median of 10, ms)',
      value: fmt(times.compileMedianMs, 1),
    },
    {
      measure: 'Handlebars render + text part per recipient (µs; target < 1000)',
      value: fmt(times.renderUs, 1),
    },
  ]);
  emit({
    bench: 'newsletter',
    size: null,
    figure: 'render per recipient (Handlebars + text part)',
    value: times.renderUs,
    unit: 'µs',
    better: 'lower',
    baseline: 'naive: MJML compiled per recipient',
    baselineValue: 1e6 / naive,
  });
}
process.exit(0);
