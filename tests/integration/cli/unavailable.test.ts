import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { deletePrefix, TEST_REDIS, uniquePrefix } from '../../helpers/redis.js';

/** A port nothing listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function herald(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const child = spawnHerald(args, env);
  const code = await waitForExit(child, 60_000);
  return { code, output: child.output() };
}

/** One plain line naming the service, never a stack trace. */
function expectOnePlainLine(output: string, service: RegExp): void {
  const lines = output.trim().split('\n');
  expect(lines, output).toHaveLength(1);
  expect(lines[0]).toMatch(/^herald: /);
  expect(lines[0]).toMatch(service);
  expect(output).not.toMatch(/^\s+at /m);
}

describe('herald commands with a service down', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'herald-down-'));
  const prefix = uniquePrefix('down');
  const env = {
    ...process.env,
    HERALD_DATA_DIR: dataDir,
    HERALD_QUEUE_PREFIX: prefix,
    HERALD_CONFIG: '',
    LOG_LEVEL: 'error',
  };
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await deletePrefix(prefix);
  });

  it('answer an unreachable database with one line and exit code 69', { timeout: 120_000 }, async () => {
    const down = {
      ...env,
      DATABASE_URL: `postgres://herald@127.0.0.1:${await closedPort()}/herald`,
      REDIS_URL: (TEST_REDIS as { url: string }).url,
    };
    const commands = [
      ['item', 'list'],
      ['users', 'list'],
      ['channels', 'list'],
      ['newsletter', 'list'],
      ['status'],
    ];
    const results = await Promise.all(commands.map((args) => herald(args, down)));
    results.forEach((result, i) => {
      expect(result.code, `${commands[i]!.join(' ')}: ${result.output}`).toBe(69);
      expectOnePlainLine(result.output, /database cannot be reached/);
    });
  });

  it(
    'answer an unreachable Redis with one line and exit code 69 where they need it',
    { timeout: 120_000 },
    async () => {
      const up = { ...env, REDIS_URL: (TEST_REDIS as { url: string }).url };
      const file = path.join(dataDir, 'item.md');
      writeFileSync(
        file,
        '---\ntitle: Redis down\nsummary: Publishing needs the queue\nurl: https://example.org/news/down\n---\nBody.\n',
      );
      const added = await herald(['item', 'add', file], up);
      expect(added.code, added.output).toBe(0);
      const id = /(itm_[0-9a-f]{32})/.exec(added.output)![1]!;

      const published = await herald(['item', 'publish', id], {
        ...env,
        REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      });
      expect(published.code, published.output).toBe(69);
      expectOnePlainLine(published.output, /Redis\) cannot be reached/);
    },
  );
});
