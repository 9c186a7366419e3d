// Runs every benchmark one after the other (they would disturb each other in parallel), prints
// their tables as they go and keeps each one's JSON summary line in bench/results/latest.json.
// Usage: npm run bench   (builds first: startup.ts measures the compiled CLI)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.js';

const BENCHES: Array<{ name: string; args: string[] }> = [
  { name: 'startup', args: [] },
  { name: 'pipeline', args: ['1000'] },
  { name: 'social', args: [] },
  { name: 'feeds', args: [] },
  { name: 'newsletter', args: [] },
  { name: 'pages', args: [] },
];

function runBench(name: string, args: string[]): Promise<{ code: number | null; json: unknown[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', `${name}.ts`), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const json: unknown[] = [];
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          json.push(JSON.parse(line));
        } catch {
          // a table row that happens to start with "{" is not a summary
        }
      }
    });
    child.on('exit', (code) => resolve({ code, json }));
  });
}

const only = process.argv.slice(2);
const results: Record<string, { code: number | null; summaries: unknown[] }> = {};
for (const bench of BENCHES.filter((b) => only.length === 0 || only.includes(b.name))) {
  console.log(`\n=== bench/${bench.name}.ts ${bench.args.join(' ')}`);
  const { code, json } = await runBench(bench.name, bench.args);
  results[bench.name] = { code, summaries: json };
}
const dir = path.join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
const failed = Object.entries(results).filter(([, r]) => r.code !== 0);
console.log(`\nbench: ${Object.keys(results).length} run, ${failed.length} failed${failed.length ? ` (${failed.map(([n]) => n).join(', ')})` : ''}; summaries in bench/results/latest.json`);
process.exitCode = failed.length ? 1 : 0;
