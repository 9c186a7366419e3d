import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function tempDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `herald-bench-${label}-`));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs the compiled `herald` CLI (run `npm run build` first), as production would. */
export function spawnCompiled(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'bin/herald.js'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`bench: timed out waiting for ${what}`);
}

/**
 * Waits until `done()` reaches `total` or `maxSeconds` have passed, whichever comes first, and says how
 * many were done in how long. A large backlog is then measured over a time-boxed window instead of to
 * the end (`windowed`), and the summaries say so.
 */
export async function measureWindow(
  total: number,
  done: () => Promise<number>,
  opts: { maxSeconds: number; everyMs: number; onSample?: (done: number) => void },
): Promise<{ done: number; seconds: number; windowed: boolean }> {
  const started = performance.now();
  const deadline = started + opts.maxSeconds * 1000;
  for (;;) {
    const n = await done();
    opts.onSample?.(n);
    const now = performance.now();
    if (n >= total) return { done: n, seconds: (now - started) / 1000, windowed: false };
    if (now >= deadline) return { done: n, seconds: (now - started) / 1000, windowed: true };
    await new Promise((r) => setTimeout(r, Math.min(opts.everyMs, Math.max(1, deadline - now))));
  }
}

/** How often to poll a count: often enough for a 1k run's timing, rarely enough not to steal CPU at 100k. */
export const pollEveryMs = (n: number) => (n <= 2_000 ? 20 : n <= 20_000 ? 50 : 200);

export function stopAll(children: ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  ).then(() => undefined);
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  console.log(`\n${title}`);
  console.table(rows);
}

/** "1k" -> 1000, "10k" -> 10000, "1m" -> 1000000, "2500" -> 2500. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`bench: "${text}" is not a size (e.g. 1k, 10k, 100k, 2500)`);
  const n =
    Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? 1_000 : m[2]!.toLowerCase() === 'm' ? 1_000_000 : 1);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench: "${text}" is not a whole positive size`);
  return n;
}

/** 1000 -> "1k", 100000 -> "100k", 2500 -> "2,500". */
export function sizeLabel(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}m`;
  if (n >= 1_000 && n % 1_000 === 0) return `${n / 1_000}k`;
  return fmt(n);
}

export interface SizedArgs {
  size: number;
  /** A measurement still running after this long is cut and reported over that window. */
  maxSeconds: number;
  /** Also measure the figures that do not depend on the size (latencies, render times); run-all asks once. */
  extras: boolean;
}

/** `--size 10k` (or a bare first argument, as before), `--max-seconds 120`, `--no-extras`. */
export function sizedArgs(defaultSize: number, argv = process.argv.slice(2)): SizedArgs {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const positional = argv[0] && !argv[0].startsWith('--') ? argv[0] : undefined;
  const maxSeconds = Number(value('--max-seconds') ?? process.env.BENCH_MAX_SECONDS ?? 120);
  if (!(maxSeconds > 0)) throw new Error('bench: --max-seconds must be a positive number');
  return {
    size: parseSize(value('--size') ?? positional ?? String(defaultSize)),
    maxSeconds,
    extras: !argv.includes('--no-extras'),
  };
}

/** The label a time-boxed measurement carries in the summaries and the tables. */
export const windowNote = (size: number, seconds: number) =>
  `${sizeLabel(size)} backlog, first ${fmt(seconds)} s measured`;

/** Removes every Redis key under a prefix (all the queues of one run). */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** CPU time (user + system) a process has used, from /proc (ms; clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Current and peak resident memory of a live process, from /proc (MB). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** A new, empty PostgreSQL database next to the one `databaseUrl` names (dropped first if a run left it). */
export function freshPgUrl(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}_${process.pid}`;
  const database = url.pathname.slice(1);
  spawnSync(
    'psql',
    [databaseUrl, '-qc', `drop database if exists ${database}`, '-c', `create database ${database}`],
    {
      stdio: 'inherit',
    },
  );
  return url.toString();
}

/**
 * The worker runs compiled, as in production (bin/herald.js, without its launcher: the
 * heap bound comes from BENCH_WORKER_NODE_ARGS, and the measured process is the worker): built into `out`, so the
 * checkout's dist/ is left alone. Falls back to tsx (more memory: the loader) when the build fails.
 */
export function workerCommand(out: string): { args: string[]; label: string } {
  if (process.env.BENCH_USE_DIST === '1' && existsSync(path.join(ROOT, 'dist/src/main.js')))
    return { args: [path.join(ROOT, 'dist/src/main.js')], label: 'compiled JavaScript' };
  spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
    { cwd: ROOT, stdio: 'ignore' },
  );
  if (!existsSync(path.join(out, 'src/main.js')))
    return { args: ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], label: 'tsx-loaded source' };
  for (const dir of ['templates', 'node_modules']) symlinkSync(path.join(ROOT, dir), path.join(out, dir));
  copyFileSync(path.join(ROOT, 'package.json'), path.join(out, 'package.json'));
  return { args: [path.join(out, 'src/main.js')], label: 'compiled JavaScript' };
}
