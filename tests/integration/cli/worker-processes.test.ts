// How `herald start` and `herald worker` run: with a bounded heap (given by the launcher, src/cli/launcher.ts),
// and, on SQLite, warning when several worker processes share the file.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSqliteWriters } from '../../../src/ops/doctor/storage-checks.js';
import { ROOT, spawnHerald, waitForExit } from '../../helpers/processes.js';
import { uniquePrefix, deletePrefix, TEST_REDIS } from '../../helpers/redis.js';

const SHARING = 'worker processes share the SQLite file';

function environment(
  label: string,
): NodeJS.ProcessEnv & { HERALD_DATA_DIR: string; HERALD_QUEUE_PREFIX: string } {
  return {
    ...process.env,
    HERALD_DATA_DIR: mkdtempSync(path.join(tmpdir(), `herald-${label}-`)),
    HERALD_QUEUE_PREFIX: uniquePrefix(label),
    REDIS_URL: (TEST_REDIS as { url: string }).url,
    HERALD_CONFIG: '',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(19_000 + Math.floor(Math.random() * 900)),
  };
}

/** Like `herald` from bin/herald.js: through the launcher. */
function launchHerald(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/launch.ts'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

async function started(child: { output(): string; exitCode: number | null }): Promise<string> {
  for (let i = 0; i < 1_200 && !child.output().includes('"msg":"herald started"'); i++) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(child.output()).toContain('"msg":"herald started"');
  return child.output();
}

const workersLine = (output: string) =>
  JSON.parse(output.split('\n').find((l) => l.includes('workers running for the queues'))!) as {
    msg: string;
    heapMb: number | null;
    heapLimitMb: number;
  };

const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(prefix);
});

describe('worker processes', () => {
  it('herald start runs its workers with the heap bound the config file gives, and stops on SIGTERM', async () => {
    const env = environment('heap');
    prefixes.push(env.HERALD_QUEUE_PREFIX);
    const configFile = path.join(env.HERALD_DATA_DIR, 'herald.yaml');
    writeFileSync(configFile, 'organisationName: Heap test\nworkerHeapMb: 96\n');
    const herald = launchHerald(['start'], { ...env, HERALD_CONFIG: configFile });
    const line = workersLine(await started(herald));
    expect(line.heapMb).toBe(96);
    expect(line.msg).toContain('heap bounded at 96 MB');
    expect(line.heapLimitMb).toBeLessThan(200); // V8's own limit here is gigabytes
    herald.kill('SIGTERM'); // the launcher passes it on
    expect(await waitForExit(herald, 60_000)).toBe(0);
    expect(herald.output()).toContain('"msg":"stopped"');
  }, 180_000);

  it('on SQLite, a second worker process on the same file warns at start, and the doctor says so', async () => {
    const env = environment('writers');
    prefixes.push(env.HERALD_QUEUE_PREFIX);
    const first = spawnHerald(['worker', 'channel'], env);
    const firstOutput = await started(first);
    expect(firstOutput).not.toContain(SHARING);
    expect(checkSqliteWriters(undefined, env.HERALD_DATA_DIR)).toMatchObject({ status: 'ok' });

    const second = spawnHerald(['worker', 'channel'], env);
    const secondOutput = await started(second);
    const warning = secondOutput.split('\n').find((l) => l.includes(SHARING));
    expect(warning).toContain(`"level":40`);
    expect(warning).toContain(`pid ${first.pid}`);
    expect(checkSqliteWriters(undefined, env.HERALD_DATA_DIR)).toMatchObject({
      status: 'warn',
      message: expect.stringContaining(`2 ${SHARING}`),
    });

    for (const child of [first, second]) child.kill('SIGTERM');
    for (const child of [first, second]) expect(await waitForExit(child, 60_000)).toBe(0);
    expect(checkSqliteWriters(undefined, env.HERALD_DATA_DIR)).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('none running'),
    });
  }, 240_000);

  it('a worker process that was killed does not count', async () => {
    const env = environment('killed');
    prefixes.push(env.HERALD_QUEUE_PREFIX);
    const killed = spawnHerald(['worker', 'channel'], env);
    await started(killed);
    killed.kill('SIGKILL');
    await waitForExit(killed);
    const next = spawnHerald(['worker', 'channel'], env);
    expect(await started(next)).not.toContain(SHARING);
    next.kill('SIGTERM');
    expect(await waitForExit(next, 60_000)).toBe(0);
  }, 240_000);
});
