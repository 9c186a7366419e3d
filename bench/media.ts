// Upload to derivatives ready for a 12 MP JPEG (4000 x 3000, photo-like: gradients plus grain): the
// checks, the metadata-free re-encoding, the four versions and the writes to the data-dir media store, p50
// of RUNS, with the process's peak RSS meanwhile. Baseline in the same run: sharp decoding and re-encoding
// the same JPEG once (mozjpeg), nothing else. Each side runs in a fresh child process, so neither peak
// carries what the other left in the heap (glibc keeps freed memory). Run: npx tsx bench/media.ts [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { processUpload } from '../src/media/process.js';
import { dataDirMediaStore } from '../src/media/store.js';
import { fileName } from '../src/domain/media.js';
import { fmt, percentile, printTable } from './lib.js';
import { emit } from './summary.js';

const WIDTH = 4000;
const HEIGHT = 3000;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

async function photoLike(): Promise<Buffer> {
  const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 3;
      const grain = (Math.random() - 0.5) * 24;
      pixels[i] = Math.max(0, Math.min(255, (x / WIDTH) * 200 + grain + 30));
      pixels[i + 1] = Math.max(0, Math.min(255, (y / HEIGHT) * 180 + grain + 40));
      pixels[i + 2] = Math.max(0, Math.min(255, 128 + 100 * Math.sin((x + y) / 300) + grain));
    }
  return sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 92 })
    .toBuffer();
}

interface Side {
  ms: number[];
  peakRss: number;
  versions: string;
}

/** Runs `task` RUNS times in this process: wall-clock ms of each, and the process's peak RSS (kernel high-water mark). */
async function timed(task: () => Promise<string>): Promise<Side> {
  const ms: number[] = [];
  let versions = '';
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    versions = await task();
    ms.push(performance.now() - start);
  }
  return { ms, peakRss: process.resourceUsage().maxRSS * 1024, versions };
}

async function child(side: string, inputFile: string): Promise<void> {
  const input = readFileSync(inputFile);
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-media-'));
  const store = dataDirMediaStore(dir);
  try {
    const result =
      side === 'baseline'
        ? await timed(async () => {
            await sharp(input).jpeg({ quality: 85, mozjpeg: true }).toBuffer();
            return '';
          })
        : await timed(async () => {
            const { original, derivatives } = await processUpload(input);
            for (const file of [original, ...Object.values(derivatives)])
              await store.put(fileName(file), file.data, file.type);
            return Object.entries(derivatives)
              .map(([name, f]) => `${name} ${f.width}x${f.height} ${fmt(f.bytes / 1024)} kB`)
              .join(', ');
          });
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runSide(side: string, inputFile: string): Side {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', side, inputFile, '--runs', String(RUNS)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (run.status !== 0) throw new Error(`the ${side} child failed (exit ${run.status})`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Side;
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-media-input-'));
  const inputFile = path.join(dir, '12mp.jpg');
  try {
    const input = await photoLike();
    writeFileSync(inputFile, input);
    const baseline = runSide('baseline', inputFile);
    const upload = runSide('upload', inputFile);
    const mb = (n: number) => n / 1_048_576;
    const p50 = { baseline: percentile(baseline.ms, 50), upload: percentile(upload.ms, 50) };
    printTable(`Media upload, 12 MP JPEG (${fmt(input.length / 1024)} kB), ${RUNS} runs each`, [
      {
        what: 'baseline: sharp decode + JPEG encode',
        'p50 ms': fmt(p50.baseline),
        'peak RSS MB': fmt(mb(baseline.peakRss)),
      },
      {
        what: 'upload -> derivatives stored',
        'p50 ms': fmt(p50.upload),
        'peak RSS MB': fmt(mb(upload.peakRss)),
      },
    ]);
    console.log(`versions: ${upload.versions}`);
    emit({
      bench: 'media',
      size: null,
      figure: 'upload to derivatives ready, 12 MP JPEG, p50',
      value: p50.upload,
      unit: 'ms',
      baseline: 'sharp decode + encode alone',
      baselineValue: p50.baseline,
      better: 'lower',
      primary: true,
    });
    emit({
      bench: 'media',
      size: null,
      figure: 'peak RSS during uploads',
      value: mb(upload.peakRss),
      unit: 'MB',
      baseline: 'peak RSS during the baseline',
      baselineValue: mb(baseline.peakRss),
      better: 'lower',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childArg = process.argv.indexOf('--child');
if (childArg > 0) await child(process.argv[childArg + 1]!, process.argv[childArg + 2]!);
else await main();
