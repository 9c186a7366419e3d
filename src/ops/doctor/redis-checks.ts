import type { Redis } from 'ioredis';
import { fail, ok, warn, type CheckResult } from './result.js';

const MiB = 1024 * 1024;

/** Reachable, persistence (AOF), eviction policy and memory. */
export async function checkRedis(redis: Redis, where: string): Promise<CheckResult[]> {
  await redis.ping();
  const results: CheckResult[] = [ok('redis', `${where} answers`)];
  const config = await readConfig(redis, ['appendonly', 'maxmemory-policy']);
  if (!config) {
    results.push(
      warn(
        'redis settings',
        'CONFIG GET is not allowed on this server, so persistence and eviction cannot be checked',
        'make sure the server has appendonly yes, appendfsync everysec and maxmemory-policy noeviction (ask your provider)',
      ),
    );
  } else {
    results.push(
      config.appendonly === 'yes'
        ? ok('redis persistence', 'AOF is on (appendonly yes)')
        : warn(
            'redis persistence',
            'AOF is off: a restart of Redis loses the jobs written since its last snapshot (the reconciler restores them from the database, late)',
            'set `appendonly yes` and `appendfsync everysec` in redis.conf (or CONFIG SET appendonly yes, then CONFIG REWRITE)',
          ),
    );
    results.push(
      config['maxmemory-policy'] === 'noeviction'
        ? ok('redis eviction', 'maxmemory-policy is noeviction')
        : warn(
            'redis eviction',
            `maxmemory-policy is ${config['maxmemory-policy']}: when memory runs short Redis silently drops keys, jobs among them`,
            'set `maxmemory-policy noeviction` (BullMQ requires it)',
          ),
    );
  }
  results.push(memoryResult(await redis.info('memory')));
  return results;
}

async function readConfig(redis: Redis, names: string[]): Promise<Record<string, string> | null> {
  try {
    const values: Record<string, string> = {};
    for (const name of names) {
      const pair = (await redis.config('GET', name)) as string[];
      values[name] = pair[1] ?? '';
    }
    return values;
  } catch {
    return null;
  }
}

function memoryResult(info: string): CheckResult {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  const used = field('used_memory');
  const max = field('maxmemory');
  const usedText = `${(used / MiB).toFixed(1)} MiB`;
  if (!max) return ok('redis memory', `${usedText} used, no maxmemory limit`);
  const share = used / max;
  const text = `${usedText} used of ${(max / MiB).toFixed(0)} MiB (${Math.round(share * 100)} %)`;
  const fix =
    'raise maxmemory, or look for a backlog (herald status): with noeviction a full Redis refuses new jobs';
  if (share >= 0.95) return fail('redis memory', text, fix);
  if (share >= 0.8) return warn('redis memory', text, fix);
  return ok('redis memory', text);
}

/** Herald's clock against Redis's TIME: delayed jobs (schedules, retries) are timed by the two together. */
export async function checkClock(redis: Redis, now: () => number): Promise<CheckResult> {
  const before = now();
  const [seconds, micros] = (await redis.time()) as [string | number, string | number];
  const after = now();
  const redisMs = Number(seconds) * 1_000 + Number(micros) / 1_000;
  const skewMs = Math.round((before + after) / 2 - redisMs);
  const text = `this machine's clock is ${Math.abs(skewMs / 1_000).toFixed(1)} s ${skewMs >= 0 ? 'ahead of' : 'behind'} Redis's`;
  const fix =
    'synchronise the clocks with NTP (timedatectl set-ntp true, or chrony) on this machine and on the Redis server';
  if (Math.abs(skewMs) >= 30_000)
    return fail('clock', `${text}: scheduled posts and retries run at the wrong time`, fix);
  if (Math.abs(skewMs) >= 2_000) return warn('clock', text, fix);
  return ok('clock', `within ${Math.max(1, Math.abs(skewMs))} ms of Redis's`);
}
