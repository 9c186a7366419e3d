import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where a test run's global set-up compiled Herald (tests/helpers/compiled-herald.ts), if it did. */
export const COMPILED_HERALD_ENV = 'HERALD_TEST_COMPILED_DIR';

/**
 * Runs the `herald` CLI as a separate process, like an operator would run it: the run's compiled copy when
 * there is one, else from source (tsx).
 */
export function spawnHerald(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const compiled = process.env[COMPILED_HERALD_ENV];
  const entry = compiled
    ? ['--enable-source-maps', path.join(compiled, 'src/main.js')]
    : ['--import', 'tsx', path.join(ROOT, 'src/main.ts')];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

export function waitForExit(child: ChildProcess, timeoutMs = 20_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('process did not exit in time')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
