// Turns bench/results/latest.json (written by npm run bench) into the markdown table of the README's
// "Benchmark results" section, with the date, the machine and its load, and prints it. With --svg it also
// draws the chart again from the same figures (bench/results/latest.svg), e.g. after a change to chart.ts.
// Usage: npx tsx bench/report.ts [--svg] [path/to/results.json]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chartCaption, renderChart } from './chart.js';
import { ROOT, fmt, sizeLabel } from './lib.js';
import type { ResultsFile } from './run-all.js';
import { TABLE_HEAD, markdownTable, tableRows } from './summary.js';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--')) ?? path.join(ROOT, 'bench', 'results', 'latest.json');
const run = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
if (args.includes('--svg'))
  writeFileSync(path.join(path.dirname(file), 'latest.svg'), renderChart(run.results, chartCaption(run)));
const m = run.machine;
const minutes = `${Math.floor(run.totalSeconds / 60)} min ${Math.round(run.totalSeconds % 60)} s`;
const busy = m.loadAverage.max > m.cores;
const failed = run.runs
  .filter((r) => r.code !== 0)
  .map((r) => `${r.bench}${r.size ? ` ${sizeLabel(r.size)}` : ''}`);

console.log(
  [
    `Run of ${run.at.slice(0, 10)} (\`npm run bench\`, sizes ${run.sizes.map(sizeLabel).join(', ')}, ${minutes} in all): ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB, Node ${m.node}. ` +
      `Load average ${fmt(m.loadAverage.start, 1)} at the start, up to ${fmt(m.loadAverage.max, 1)}, ${fmt(m.loadAverage.end, 1)} at the end` +
      (busy
        ? ': other processes were running on the same cores, so absolute figures are low and noisy; the ratios against same-run baselines are the figures to compare.'
        : '.') +
      (failed.length ? ` Failed: ${failed.join(', ')}.` : ''),
    '',
    markdownTable(
      TABLE_HEAD.map((h) => h[0]!.toUpperCase() + h.slice(1)),
      tableRows(run.results),
    ),
    '',
    `Ratio = value / same-run baseline at the same size: for rates higher is better (1.00 = as fast as the baseline), for times and memory lower is better. ` +
      (run.results.some((r) => r.note)
        ? `"backlog, first ${fmt(run.maxSeconds)} s measured": the whole backlog was queued, but only its first ${fmt(run.maxSeconds)} s were timed (Herald's and the baseline's alike), to keep the run under half an hour. `
        : '') +
      'Chart: [bench/results/latest.svg](bench/results/latest.svg); every figure: [bench/results/latest.json](bench/results/latest.json).',
  ].join('\n'),
);
