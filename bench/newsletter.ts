// Newsletter benchmark (issue 5). Through the queue: N contacts, one `herald worker newsletter`
// process, a local smtp-server sink in its own process; messages/s and the worker's memory. Against, in
// the same run: (a) nodemailer alone sending the same messages rendered beforehand, same sink, same
// pool; (b) the naive way, MJML compiled per recipient, on a sample. Also MJML compile time per
// newsletter and Handlebars render time per recipient.
// Usage: npx tsx bench/newsletter.ts [contacts=10000]   (BENCH_DATABASE_URL=postgres://... for PostgreSQL)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { createContext, type Context } from '../src/context.js';
import { createLogger } from '../src/log.js';
import { createItem } from '../src/queues/item-flow.js';
import { requestPublish } from '../src/queues/publish-flow.js';
import { importContacts } from '../src/store/member-import.js';
import { progressOf } from '../src/store/newsletters.js';
import { createNewsletter } from '../src/newsletter/staff-tools.js';
import { startSend } from '../src/newsletter/send-flow.js';
import { clearLayoutCache } from '../src/newsletter/templates.js';
import { compileNewsletter, renderFor } from '../src/newsletter/render.js';
import { BENCH_BRANDING, BENCH_ITEM_FIELDS, benchItem } from './newsletter-fixtures.js';
import { REDIS_URL, ROOT, fmt, printTable, stopAll, tempDir, until } from './lib.js';

const CONTACTS = Number(process.argv[2] ?? 10_000);
const POOL = 5;
const CONCURRENCY = 20;
const DATABASE_URL = process.env.BENCH_DATABASE_URL;
const made: string[] = [];
const scratch = (label: string) => {
  const dir = tempDir(label);
  made.push(dir);
  return dir;
};

/**
 * The worker runs compiled, as in production (bin/herald.js): built into a private directory, so the
 * checkout's dist/ is left alone. Falls back to tsx (more memory: the loader) when the build fails.
 */
function workerCommand(): { args: string[]; label: string } {
  const out = scratch('build');
  spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(path.join(out, 'src/main.js'))) return { args: ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], label: 'tsx-loaded source' };
  for (const dir of ['templates', 'node_modules']) symlinkSync(path.join(ROOT, dir), path.join(out, dir));
  copyFileSync(path.join(ROOT, 'package.json'), path.join(out, 'package.json'));
  return { args: [path.join(out, 'src/main.js')], label: 'compiled JavaScript' };
}

interface Sink {
  port: number;
  child: ChildProcess;
  count(): Promise<number>;
}

async function startSink(): Promise<Sink> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/smtp-sink.ts')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const count = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { count: number }) => resolve(m.count));
      child.send({ type: 'count' });
    });
  return { port, child, count };
}

function freshPgUrl(label: string): string {
  const url = new URL(DATABASE_URL!);
  url.pathname = `/herald_bench_${label}_${process.pid}`;
  spawnSync('psql', [DATABASE_URL!, '-qc', `drop database if exists ${url.pathname.slice(1)}`, '-c', `create database ${url.pathname.slice(1)}`], { stdio: 'inherit' });
  return url.toString();
}

function contactsCsv(n: number): string {
  const rows = ['authority,country,name,email,language'];
  for (let i = 0; i < n; i++) rows.push(`City ${Math.floor(i / 5)},FR,Contact ${i},contact${i}@city${i % 97}.example.eu,${i % 2 ? 'fr' : 'en'}`);
  return rows.join('\n');
}

/** Removes every Redis key the run made (all queues under its prefix). */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** CPU time (user + system) a process has used, from /proc (ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks (100/s)
}

/** Peak and current resident memory of a process, from /proc (MB). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
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
    ...(DATABASE_URL ? { DATABASE_URL: freshPgUrl(label) } : {}),
  };
  const config = loadConfig({ env, cwd: dataDir });
  const ctx: Context = await createContext(config, { redis: { url: REDIS_URL }, log: createLogger('warn') });
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
  const worker = spawn(process.execPath, [...nodeArgs, ...command, 'worker', 'newsletter'], { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  await until(async () => (await queue.getWorkersCount()) > 0, 30_000, 'newsletter worker');
  await new Promise((r) => setTimeout(r, 1_000));
  const idle = memoryOf(worker.pid!).rss;
  const before = await sink.count();
  const cpuBefore = cpuMsOf(worker.pid!);
  const samples: Array<{ done: number; rss: number }> = [];
  const started = performance.now();
  await queue.resume();
  await until(async () => {
    const sent = (await progressOf(ctx.store.db, newsletter.id)).sent;
    samples.push({ done: sent / n, rss: memoryOf(worker.pid!).rss });
    return sent >= n;
  }, 600_000, 'newsletter sent');
  const seconds = (performance.now() - started) / 1000;
  const cpuPerMessage = (cpuMsOf(worker.pid!) - cpuBefore) / n;
  const memory = memoryOf(worker.pid!);
  const accepted = (await sink.count()) - before;
  await stopAll([worker]);
  await ctx.close();
  await deleteKeys(env.HERALD_QUEUE_PREFIX);
  const at = (f: number) => samples.find((s) => s.done >= f)?.rss ?? NaN;
  return { n, seconds, perSecond: n / seconds, cpuPerMessage, accepted, outboxSeconds, idle, peak: memory.peak, rssAt: { q1: at(0.25), q2: at(0.5), q3: at(0.75), end: memory.rss } };
}

function nodemailerAlone(n: number, sink: Sink): { perSecond: number; rssPeakMb: number; cpuPerMessage: number } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/newsletter-baseline.ts'), String(sink.port), String(n), String(POOL)], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { seconds: number; rssPeakMb: number; cpuMs: number };
  return { perSecond: n / result.seconds, rssPeakMb: result.rssPeakMb, cpuPerMessage: result.cpuMs / n };
}

/** The naive way: MJML compiled for every recipient (the layout cache cleared each time), then rendered. */
async function mjmlPerRecipient(sample: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < sample; i++) {
    clearLayoutCache();
    const compiled = await compileNewsletter({ kind: 'announcement', items: [benchItem], language: i % 2 ? 'fr' : 'en', branding: BENCH_BRANDING });
    renderFor(compiled, { name: `Contact ${i}`, email: `c${i}@example.eu`, authorityName: 'City', unsubscribeUrl: 'https://herald.example.org/u/x' });
  }
  return sample / ((performance.now() - started) / 1000);
}

async function renderTimes() {
  const compileMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    clearLayoutCache();
    const t0 = performance.now();
    await compileNewsletter({ kind: 'announcement', items: [benchItem], language: 'en', branding: BENCH_BRANDING });
    compileMs.push(performance.now() - t0);
  }
  const compiled = await compileNewsletter({ kind: 'digest', items: [benchItem, { ...benchItem, id: 'itm_2' }, { ...benchItem, id: 'itm_3' }], language: 'fr', branding: BENCH_BRANDING });
  const runs = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) renderFor(compiled, { name: `Contact ${i}`, email: `c${i}@example.eu`, authorityName: 'City', unsubscribeUrl: `https://herald.example.org/u/${i}` });
  const renderUs = ((performance.now() - t0) * 1000) / runs;
  compileMs.sort((a, b) => a - b);
  return { compileMedianMs: compileMs[5]!, renderUs };
}

const worker = workerCommand();
const sink = await startSink();
const small = await throughQueue(Math.max(500, Math.round(CONTACTS / 5)), sink, worker.args);
const big = await throughQueue(CONTACTS, sink, worker.args);
const alone = nodemailerAlone(CONTACTS, sink);
const naive = await mjmlPerRecipient(40);
const times = await renderTimes();
await stopAll([sink.child]);
for (const dir of made) rmSync(dir, { recursive: true, force: true });

printTable(`Newsletter throughput: ${CONTACTS} contacts, pool ${POOL}, worker concurrency ${CONCURRENCY}, ${DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, no DKIM`, [
  { measure: '(a) nodemailer alone, pre-rendered, same sink and pool (msg/s)', value: fmt(alone.perSecond), ratio: '1.00 (floor of the stack)' },
  { measure: 'Herald through the queue: claim, re-check, render, mark, send, record (msg/s)', value: fmt(big.perSecond), ratio: `${fmt(big.perSecond / alone.perSecond, 2)} of (a) (target >= 0.70)` },
  { measure: '(b) naive: MJML compiled per recipient + render, 40 sampled, no sending (msg/s)', value: fmt(naive, 1), ratio: `queue end to end is ${fmt(big.perSecond / naive, 0)}x faster (target >= 100x)` },
  { measure: 'Herald rendering stage: Handlebars render + text part per recipient (msg/s)', value: fmt(1e6 / times.renderUs), ratio: `${fmt(1e6 / times.renderUs / naive, 0)}x the naive rendering` },
  { measure: 'CPU per message, nodemailer alone (ms)', value: fmt(alone.cpuPerMessage, 2), ratio: '' },
  { measure: 'CPU per message, Herald worker (ms; all of it: queue, SQL, render, send)', value: fmt(big.cpuPerMessage, 2), ratio: `${fmt(alone.cpuPerMessage / big.cpuPerMessage, 2)} of (a) by CPU time` },
  { measure: 'outbox step: recipient rows + jobs for the whole list (s)', value: fmt(big.outboxSeconds, 2), ratio: '' },
]);
printTable(`Worker process memory (MB; ${worker.label})`, [
  { run: `${small.n} contacts`, idle: fmt(small.idle), at25: fmt(small.rssAt.q1), at50: fmt(small.rssAt.q2), at75: fmt(small.rssAt.q3), end: fmt(small.rssAt.end), peak: fmt(small.peak) },
  { run: `${big.n} contacts`, idle: fmt(big.idle), at25: fmt(big.rssAt.q1), at50: fmt(big.rssAt.q2), at75: fmt(big.rssAt.q3), end: fmt(big.rssAt.end), peak: fmt(big.peak) },
  { run: `(a) nodemailer alone, ${CONTACTS} (tsx)`, idle: '', at25: '', at50: '', at75: '', end: '', peak: fmt(alone.rssPeakMb) },
]);
printTable('Rendering', [
  { measure: 'MJML compile per newsletter and language (median of 10, ms)', value: fmt(times.compileMedianMs, 1) },
  { measure: 'Handlebars render + text part per recipient (µs; target < 1000)', value: fmt(times.renderUs, 1) },
]);
console.log(JSON.stringify({ bench: 'newsletter', contacts: CONTACTS, queuePerSecond: big.perSecond, nodemailerPerSecond: alone.perSecond, ratio: big.perSecond / alone.perSecond, cpuMsPerMessage: big.cpuPerMessage, nodemailerCpuMsPerMessage: alone.cpuPerMessage, naivePerSecond: naive, speedup: big.perSecond / naive, workerPeakMb: big.peak, workerPeakSmallMb: small.peak, compileMs: times.compileMedianMs, renderUs: times.renderUs, accepted: big.accepted }));
process.exit(0);
