import { spawn } from 'node:child_process';
import { configuredHeapMb, givenHeapMb } from '../config/heap.js';

/** Commands that run for long and hold workers: they run with a bounded heap. */
const LONG_RUNNING = new Set(['start', 'worker']);
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Node's arguments to run this command again with the configured heap bound, or null when this process runs
 * it itself: another command, a bound already given (flag or NODE_OPTIONS, the operator's choice wins), or 0.
 */
export function heapBoundArgs(
  argv: readonly string[],
  execArgv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): string[] | null {
  if (!LONG_RUNNING.has(argv[2] ?? '') || givenHeapMb(execArgv, env) !== null) return null;
  let mb: number;
  try {
    mb = configuredHeapMb(env, cwd);
  } catch {
    return null; // a configuration that cannot be read: the command itself reports it
  }
  return mb === 0 ? null : [`--max-old-space-size=${mb}`, ...execArgv, ...argv.slice(1)];
}

/**
 * Runs Node with `args` and mirrors it: signals sent to this process are passed on, its exit is ours. V8 takes
 * a heap bound only when it starts, hence the second process. It gets its own process group (a Ctrl-C reaches
 * it once, through us) and an IPC channel, which closes if we die, so that it stops too (see run.ts).
 */
export function runBounded(args: string[]): void {
  const child = spawn(process.execPath, args, {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  child.on('error', (error) => {
    console.error(`herald: cannot start ${process.execPath}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    for (const s of FORWARDED_SIGNALS) process.off(s, forward);
    process.kill(process.pid, signal);
  });
}
