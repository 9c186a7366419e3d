// Upload to derivatives ready for a 12 MP JPEG (4000 x 3000, photo-like: gradients plus grain): the
// checks, the metadata-free re-encoding, the four versions and the writes to the data-dir media store, p50
// of RUNS, with the process's peak RSS meanwhile. Baseline in the same run: sharp decoding and re-encoding
// the same JPEG once, nothing else. Run: npx tsx bench/media.ts [--runs 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

/** Runs `task` RUNS times; wall-clock ms of each, and the highest RSS sampled every 10 ms meanwhile. */
async function timed(task: () => Promise<unknown>): Promise<{ ms: number[]; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  const ms: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await task();
      ms.push(performance.now() - start);
    }
  } finally {
    clearInterval(sampler);
  }
  return { ms, peakRss };
}

async function main() {
  const input = await photoLike();
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-media-'));
  const store = dataDirMediaStore(dir);
  try {
    const baseline = await timed(() => sharp(input).jpeg({ quality: 85, mozjpeg: true }).toBuffer());
    let versions = '';
    const upload = await timed(async () => {
      const { original, derivatives } = await processUpload(input);
      for (const file of [original, ...Object.values(derivatives)])
        await store.put(fileName(file), file.data, file.type);
      versions = Object.entries(derivatives)
        .map(([name, f]) => `${name} ${f.width}x${f.height} ${fmt(f.bytes / 1024)} kB`)
        .join(', ');
    });
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
    console.log(`versions: ${versions}`);
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

await main();
