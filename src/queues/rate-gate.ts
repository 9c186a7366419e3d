import type { Redis } from 'ioredis';

/**
 * A per-account "do not call before" instant shared by every worker process through Redis. When one job
 * hits a platform rate limit, the other jobs for that account wait for the reset instead of hammering it.
 */
export class RateGate {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(name: string): string {
    return `${this.prefix}:gate:${name}`;
  }

  /** Epoch ms before which calls must wait, or 0 when open. */
  async closedUntil(name: string): Promise<number> {
    const value = await this.redis.get(this.key(name));
    const until = value ? Number(value) : 0;
    return until > Date.now() ? until : 0;
  }

  /** Closes the gate until `until` (never shortens an existing closure). */
  async close(name: string, until: number): Promise<void> {
    const ttl = Math.max(1, until - Date.now());
    await this.redis.eval(
      "local cur = tonumber(redis.call('GET', KEYS[1]) or '0') if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end return 1",
      1,
      this.key(name),
      String(until),
      String(ttl),
    );
  }

  /** Opens the gate now (an account reconnected: what held its posts is gone). */
  async open(name: string): Promise<void> {
    await this.redis.del(this.key(name));
  }
}
