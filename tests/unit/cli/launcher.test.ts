import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapBoundArgs } from '../../../src/cli/launcher.js';
import { loadConfig } from '../../../src/config/load.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'herald-launcher-'));
const argv = (...args: string[]) => ['/usr/bin/node', '/opt/herald/dist/src/launch.js', ...args];
const env = { HERALD_CONFIG: '' };

describe('the heap bound of long-running commands', () => {
  it('herald start and herald worker run again with 128 MB by default, keeping Node options and arguments', () => {
    expect(heapBoundArgs(argv('start'), [], env, cwd)).toEqual([
      '--max-old-space-size=128',
      '/opt/herald/dist/src/launch.js',
      'start',
    ]);
    expect(heapBoundArgs(argv('worker', 'channel'), ['--import', 'tsx'], env, cwd)).toEqual([
      '--max-old-space-size=128',
      '--import',
      'tsx',
      '/opt/herald/dist/src/launch.js',
      'worker',
      'channel',
    ]);
  });

  it('other commands, a bound given to Node (flag or NODE_OPTIONS) and 0 run in this process', () => {
    expect(heapBoundArgs(argv('status'), [], env, cwd)).toBeNull();
    expect(heapBoundArgs(argv('api'), [], env, cwd)).toBeNull();
    expect(heapBoundArgs(argv('start'), ['--max-old-space-size=300'], env, cwd)).toBeNull();
    expect(
      heapBoundArgs(argv('start'), [], { ...env, NODE_OPTIONS: '--max-old-space-size=300' }, cwd),
    ).toBeNull();
    expect(heapBoundArgs(argv('start'), [], { ...env, HERALD_WORKER_HEAP_MB: '0' }, cwd)).toBeNull();
  });

  it('HERALD_WORKER_HEAP_MB, else the config file, sets it; the loaded configuration reads the same value', () => {
    const file = path.join(cwd, 'herald.yaml');
    writeFileSync(file, 'organisationName: Test\nworkerHeapMb: 96\n');
    const fromFile = { HERALD_CONFIG: file };
    expect(heapBoundArgs(argv('worker'), [], fromFile, cwd)?.[0]).toBe('--max-old-space-size=96');
    expect(loadConfig({ env: fromFile, cwd }).workerHeapMb).toBe(96);
    const fromEnv = { ...fromFile, HERALD_WORKER_HEAP_MB: '200' };
    expect(heapBoundArgs(argv('worker'), [], fromEnv, cwd)?.[0]).toBe('--max-old-space-size=200');
    expect(loadConfig({ env: fromEnv, cwd }).workerHeapMb).toBe(200);
  });
});

describe('deliveries at once per worker process', () => {
  it('32 on SQLite (one worker process), 8 on PostgreSQL, or what is configured', () => {
    expect(loadConfig({ env, cwd }).delivery.concurrency).toBe(32);
    expect(
      loadConfig({ env: { ...env, DATABASE_URL: 'postgres://h@localhost/herald' }, cwd }).delivery
        .concurrency,
    ).toBe(8);
    expect(loadConfig({ env: { ...env, HERALD_DELIVERY_CONCURRENCY: '12' }, cwd }).delivery.concurrency).toBe(
      12,
    );
  });
});
