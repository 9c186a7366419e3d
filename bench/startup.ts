// Cold start and idle memory of the compiled `herald start` (fresh data dir: migrations run, Redis on
// 127.0.0.1), against a bare fastify "hello" server started the same way in the same run.
// Usage: npm run build && npx tsx bench/startup.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, fmt, printTable, stopAll, tempDir } from './lib.js';
import { emit } from './summary.js';

const RUNS = 5;

/** RSS of a process and its descendants: bin/herald.js runs `start` in a second, heap-bounded process. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const own = Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);
  return children.reduce((sum, child) => sum + rssMb(Number(child)), own);
}

async function timeToHealthy(child: ChildProcess, url: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function measure(label: string, start: (port: number) => ChildProcess, healthPath: string) {
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const port = 19_100 + Math.floor(Math.random() * 800);
    const child = start(port);
    times.push(await timeToHealthy(child, `http://127.0.0.1:${port}${healthPath}`));
    await new Promise((r) => setTimeout(r, 5_000)); // idle: schedulers installed, workers waiting
    rss.push(rssMb(child.pid!));
    await stopAll([child]);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return { label, startMs: median(times), rssMb: median(rss) };
}

const bare = await measure(
  'bare fastify server (baseline)',
  (port) =>
    spawn(
      process.execPath,
      ['-e', `require('fastify')().get('/', async () => 'ok').listen({ port: ${port} })`],
      { cwd: ROOT, stdio: 'ignore' },
    ),
  '/',
);
const herald = await measure(
  'herald start (API + all workers, SQLite, fresh data dir; launcher + bounded process)',
  (port) =>
    spawn(process.execPath, [path.join(ROOT, 'bin/herald.js'), 'start'], {
      cwd: ROOT,
      stdio: 'ignore',
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        HERALD_DATA_DIR: tempDir('startup'),
        HERALD_QUEUE_PREFIX: `{bench-startup-${port}}`,
        LOG_LEVEL: 'warn',
        HERALD_CONFIG: '',
      },
    }),
  '/healthz',
);

printTable(`Cold start to first healthy answer, and resident memory after 5 s idle (median of ${RUNS})`, [
  { process: bare.label, 'start (ms)': fmt(bare.startMs), 'RSS (MB)': fmt(bare.rssMb, 1), ratio: '1.00' },
  {
    process: herald.label,
    'start (ms)': fmt(herald.startMs),
    'RSS (MB)': fmt(herald.rssMb, 1),
    ratio: `${fmt(herald.startMs / bare.startMs, 1)}x time, ${fmt(herald.rssMb / bare.rssMb, 1)}x memory`,
  },
]);
emit({
  bench: 'startup',
  size: null,
  primary: true,
  figure: 'herald start: cold start to first healthy answer',
  value: herald.startMs,
  unit: 'ms',
  better: 'lower',
  baseline: 'bare fastify server',
  baselineValue: bare.startMs,
});
emit({
  bench: 'startup',
  size: null,
  figure: 'herald start: RSS after 5 s idle',
  value: herald.rssMb,
  unit: 'MB',
  better: 'lower',
  baseline: 'bare fastify server',
  baselineValue: bare.rssMb,
});
