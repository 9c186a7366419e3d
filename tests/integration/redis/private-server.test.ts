import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { resolveRedis } from '../../../src/redis/server.js';
import { createLogger } from '../../../src/log.js';

const hasRedisServer = existsSync('/usr/bin/redis-server') || existsSync('/usr/local/bin/redis-server');
// Nothing listens here, so Herald must start its own.
const NOBODY = { url: 'redis://127.0.0.1:1' };

describe.skipIf(!hasRedisServer)('private redis-server', () => {
  it('is started in the data dir with AOF and noeviction, reused while it runs, stopped on request', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'hr-'));
    const log = createLogger('silent');
    const first = await resolveRedis(undefined, dataDir, log, { spawnAllowed: true, localDefault: NOBODY });
    expect(first.stop).toBeTypeOf('function');
    const client = new Redis({
      ...('path' in first.target ? { path: first.target.path } : {}),
      lazyConnect: true,
    });
    if ('url' in first.target) throw new Error('expected a unix socket for a short data dir');
    await client.connect();
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await client.config('GET', 'dir')).toEqual(['dir', path.join(dataDir, 'redis')]);
    client.disconnect();

    const again = await resolveRedis(undefined, dataDir, log, { spawnAllowed: false, localDefault: NOBODY });
    expect(again.target).toEqual(first.target);
    expect(again.stop).toBeUndefined(); // not ours to stop

    await first.stop!();
    await expect(
      resolveRedis(undefined, dataDir, log, { spawnAllowed: false, localDefault: NOBODY }),
    ).rejects.toThrow(/no Redis answers/);
  });

  it('uses a loopback port when the data dir is too deep for a unix socket', async () => {
    const deep = path.join(mkdtempSync(path.join(tmpdir(), 'hr-')), 'a'.repeat(60), 'b'.repeat(40));
    const resolved = await resolveRedis(undefined, deep, createLogger('silent'), {
      spawnAllowed: true,
      localDefault: NOBODY,
    });
    try {
      expect(resolved.target).toMatchObject({ url: expect.stringMatching(/^redis:\/\/127\.0\.0\.1:\d+$/) });
    } finally {
      await resolved.stop?.();
    }
  });

  it('REDIS_URL always wins', async () => {
    const resolved = await resolveRedis('redis://10.0.0.1:6379', '/nonexistent', createLogger('silent'), {
      spawnAllowed: true,
    });
    expect(resolved).toEqual({ target: { url: 'redis://10.0.0.1:6379' } });
  });
});
