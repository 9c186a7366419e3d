// Runs every benchmark one after the other (they would disturb each other in parallel): startup, then
// pipeline, social, feeds and newsletter at each size (a fresh process per size), then pages. Prints their
// tables as they go, then one final table of every figure next to its same-run baseline; keeps the figures
// in bench/results/latest.json and draws bench/results/latest.svg.
// Usage: npm run bench [-- --sizes 1k,10k,100k] [--only pipeline,feeds] [--max-seconds 60]
//   (npm run bench builds first: startup.ts measures the compiled CLI, newsletter.ts runs its worker from dist/)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { chartCaption, renderChart } from './chart.js';
import { ROOT, fmt, parseSize, sizeLabel } from './lib.js';
import { TABLE_HEAD, isSummary, tableRows, textTable, type Summary } from './summary.js';

interface Bench {
  name: string;
  /** Takes --size (items, posts or contacts); the others run once. */
  sized: boolean;
}

const BENCHES: Bench[] = [
  { name: 'startup', sized: false },
  { name: 'pipeline', sized: true },
  { name: 'social', sized: true },
  { name: 'feeds', sized: true },
  { name: 'newsletter', sized: true },
  { name: 'pages', sized: false },
  { name: 'calendar', sized: false },
  { name: 'bounces', sized: false }, // 10,000 DSNs, as issue 17 asks
];

export interface RunRecord {
  bench: string;
  size: number | null;
  args: string[];
  code: number | null;
  seconds: number;
}

export interface ResultsFile {
  at: string;
  machine: {
    cores: number;
    cpu: string;
    memoryGb: number;
    node: string;
    loadAverage: { start: number; max: number; end: number };
  };
  sizes: number[];
  maxSeconds: number;
  totalSeconds: number;
  runs: RunRecord[];
  results: Summary[];
}

function option(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`bench: ${flag} needs a value`);
  return value;
}

const argv = process.argv.slice(2);
const sizes = (option(argv, '--sizes') ?? '1k,10k,100k').split(',').filter(Boolean).map(parseSize);
const only = option(argv, '--only')?.split(',').filter(Boolean);
const maxSeconds = Number(option(argv, '--max-seconds') ?? 60);
const unknown = only?.filter((n) => !BENCHES.some((b) => b.name === n)) ?? [];
if (unknown.length > 0)
  throw new Error(
    `bench: unknown bench(es) ${unknown.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`,
  );
if (!(maxSeconds > 0)) throw new Error('bench: --max-seconds must be a positive number');

// Under `npm run bench`, dist/ was just built: the newsletter worker runs from it instead of building its own.
const childEnv = {
  ...process.env,
  ...(process.env.npm_lifecycle_event === 'bench' ? { BENCH_USE_DIST: '1' } : {}),
};

function runBench(name: string, args: string[]): Promise<{ code: number | null; summaries: Summary[] }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', `${name}.ts`), ...args],
      { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const summaries: Summary[] = [];
    let pending = '';
    const take = (line: string) => {
      if (!line.startsWith('{')) return;
      try {
        const parsed: unknown = JSON.parse(line);
        if (isSummary(parsed)) summaries.push(parsed);
      } catch {
        // a table row that happens to start with "{" is not a summary
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(take);
    });
    child.on('exit', (code) => {
      take(pending);
      resolve({ code, summaries });
    });
  });
}

const started = performance.now();
const load = { start: loadavg()[0]!, max: loadavg()[0]! };
const sampler = setInterval(() => (load.max = Math.max(load.max, loadavg()[0]!)), 5_000);
const runs: RunRecord[] = [];
const results: Summary[] = [];
for (const bench of BENCHES.filter((b) => !only || only.includes(b.name))) {
  const plan = bench.sized
    ? sizes.map((size, i) => ({
        size,
        args: [
          '--size',
          sizeLabel(size).replaceAll(',', ''),
          '--max-seconds',
          String(maxSeconds),
          ...(i > 0 ? ['--no-extras'] : []),
        ],
      }))
    : [{ size: null, args: [] }];
  for (const { size, args } of plan) {
    console.log(`\n=== bench/${bench.name}.ts ${args.join(' ')}`);
    const t0 = performance.now();
    const { code, summaries } = await runBench(bench.name, args);
    runs.push({ bench: bench.name, size, args, code, seconds: (performance.now() - t0) / 1000 });
    results.push(...summaries);
    if (code !== 0) console.error(`bench/${bench.name}.ts ${args.join(' ')} exited with ${code}`);
  }
}
clearInterval(sampler);

const totalSeconds = (performance.now() - started) / 1000;
const file: ResultsFile = {
  at: new Date().toISOString(),
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: { start: load.start, max: Math.max(load.max, loadavg()[0]!), end: loadavg()[0]! },
  },
  sizes,
  maxSeconds,
  totalSeconds,
  runs,
  results,
};
const dir = path.join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(file, null, 2)}\n`);
const m = file.machine;
writeFileSync(path.join(dir, 'latest.svg'), renderChart(results, chartCaption(file)));

console.log(
  `\nAll figures (ratio = value / same-run baseline at the same size; throughput: higher is better, times and memory: lower)\n`,
);
console.log(textTable(TABLE_HEAD, tableRows(results)));
const failed = runs.filter((r) => r.code !== 0);
const minutes = `${Math.floor(totalSeconds / 60)} min ${Math.round(totalSeconds % 60)} s`;
console.log(
  `\nbench: ${runs.length} runs in ${minutes}, ${failed.length} failed${failed.length ? ` (${failed.map((r) => `${r.bench}${r.size ? ` ${sizeLabel(r.size)}` : ''}`).join(', ')})` : ''}; load average ${fmt(m.loadAverage.start, 1)} -> max ${fmt(m.loadAverage.max, 1)} on ${m.cores} cores; bench/results/latest.json and latest.svg written`,
);
process.exitCode = failed.length ? 1 : 0;
