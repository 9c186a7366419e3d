import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { uniquePrefix, deletePrefix, TEST_REDIS } from '../../helpers/redis.js';

async function herald(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const child = spawnHerald(args, env);
  const code = await waitForExit(child, 30_000);
  return { code, output: child.output() };
}

describe('herald CLI', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'herald-cli-'));
  const prefix = uniquePrefix('cli');
  const env = {
    ...process.env,
    HERALD_DATA_DIR: dataDir,
    HERALD_QUEUE_PREFIX: prefix,
    REDIS_URL: (TEST_REDIS as { url: string }).url,
    HERALD_CONFIG: '',
    LOG_LEVEL: 'warn',
  };

  it('adds an item from Markdown with front matter, publishes it, lists it, shows status', async () => {
    const file = path.join(dataDir, 'report.md');
    writeFileSync(
      file,
      '---\ntitle: Lyon conference report\nsummary: What mayors agreed\nurl: https://example.org/news/lyon\ntags: [climate, cities]\n---\n## Highlights\n\nSigned.\n',
    );
    const added = await herald(['item', 'add', file], env);
    expect(added.code, added.output).toBe(0);
    const id = /(itm_[0-9a-f]{32})/.exec(added.output)![1]!;
    expect(added.output).toContain('lyon-conference-report');

    const scheduled = await herald(
      ['item', 'publish', id, '--at', '2099-12-03T09:30', '--timezone', 'Europe/Paris'],
      env,
    );
    expect(scheduled.output).toContain('scheduled for 2099-12-03T08:30:00.000Z (Europe/Paris)');

    const listed = await herald(['item', 'list', '--status', 'scheduled'], env);
    expect(listed.output).toContain(id);
    expect(listed.output).toContain('1 of 1');

    const status = await herald(['status'], env);
    expect(status.code).toBe(0);
    expect(status.output).toContain('Items: scheduled 1');
    expect(status.output).toMatch(/twitter\s+Twitter\/X\s+dry-run\s+ok/);
    await deletePrefix(prefix);
  }, 60_000);

  it('bad input: one clear line per problem and exit code 2', async () => {
    const file = path.join(dataDir, 'bad.md');
    writeFileSync(file, '---\ntitle: ""\nurl: ftp://x\n---\nBody\n');
    const bad = await herald(['item', 'add', file], env);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('  - title: is required');
    expect(bad.output).toContain('  - url: must be an absolute http(s) URL');
    const badDate = await herald(
      ['item', 'publish', 'itm_00000000000000000000000000000000', '--at', 'soon'],
      env,
    );
    expect(badDate.code).toBe(2);
    const badConfig = await herald(['status'], { ...env, PORT: 'eighty' });
    expect(badConfig.code).toBe(2);
    expect(badConfig.output).toContain('PORT (port)');
  }, 60_000);

  it('herald start serves the API and stops cleanly on SIGTERM', async () => {
    const port = 19_000 + Math.floor(Math.random() * 900);
    const child = spawnHerald(['start'], {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    let healthy = false;
    for (let i = 0; i < 200 && !healthy; i++) {
      await new Promise((r) => setTimeout(r, 100));
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    }
    expect(healthy).toBe(true);
    const token = readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
    const res = await fetch(`http://127.0.0.1:${port}/api/items`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    expect(await waitForExit(child)).toBe(0);
    expect(child.output()).toContain('"msg":"stopped"');
    expect(child.output()).not.toContain(token); // the token is never logged
    await deletePrefix(prefix);
  }, 60_000);
});
