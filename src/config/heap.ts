import { existsSync, readFileSync } from 'node:fs';
import { findConfigFile } from './file.js';

/** V8 old-space size, in MB, of `herald start` and `herald worker` processes unless configured. */
export const DEFAULT_WORKER_HEAP_MB = 128;
const HEAP_FLAG = /--max-old-space-size[= ](\d+)/;

/** The old-space bound this process was given on its command line or in NODE_OPTIONS, or null. */
export function givenHeapMb(execArgv: readonly string[], env: NodeJS.ProcessEnv): number | null {
  const match = HEAP_FLAG.exec([...execArgv, env.NODE_OPTIONS ?? ''].join(' '));
  return match ? Number(match[1]) : null;
}

/**
 * `HERALD_WORKER_HEAP_MB`, else the config file's top-level `workerHeapMb`, else the default; 0 leaves V8's own
 * limit. Read before the configuration is loaded (a heap bound is only given when Node starts), so the file is
 * scanned, not parsed; the loaded configuration validates the same value and start-up says if they differ.
 */
export function configuredHeapMb(env: NodeJS.ProcessEnv, cwd: string): number {
  const fromEnv = env.HERALD_WORKER_HEAP_MB;
  if (fromEnv) return wholeOrDefault(fromEnv);
  const file = findConfigFile(env, cwd);
  if (!file || !existsSync(file)) return DEFAULT_WORKER_HEAP_MB;
  const match = /^\s*"?workerHeapMb"?\s*:\s*"?(\d+)/m.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : DEFAULT_WORKER_HEAP_MB;
}

function wholeOrDefault(value: string): number {
  return /^\d+$/.test(value.trim()) ? Number(value) : DEFAULT_WORKER_HEAP_MB;
}
