import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface LoginLimits {
  perAccount: number;
  perIp: number;
  windowMs: number;
}

export interface LimitState {
  blocked: boolean;
  /** Seconds until the oldest counter expires, when blocked. */
  retryAfterS: number;
}

/**
 * Counts failed sign-ins per client address and per account, in Redis so that every API process shares
 * the counts. When Redis does not answer it falls back to counting in this process's memory (logged):
 * sign-in keeps working, with limits per process instead of per installation.
 */
export class LoginLimiter {
  private readonly memory = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: LoginLimits,
    private readonly log: Logger,
  ) {}

  private keys(ip: string, email: string): Array<[string, number]> {
    const account = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
    return [
      [`${this.prefix}:web:login:ip:${ip}`, this.limits.perIp],
      [`${this.prefix}:web:login:account:${account}`, this.limits.perAccount],
    ];
  }

  async check(ip: string, email: string): Promise<LimitState> {
    const keys = this.keys(ip, email);
    const counts = await this.read(keys.map(([k]) => k));
    let retryAfterS = 0;
    keys.forEach(([, limit], i) => {
      const c = counts[i]!;
      if (c.count >= limit) retryAfterS = Math.max(retryAfterS, c.ttlS);
    });
    return { blocked: retryAfterS > 0, retryAfterS };
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    const keys = this.keys(ip, email).map(([k]) => k);
    try {
      const multi = this.redis.multi();
      for (const key of keys) multi.incr(key).pexpire(key, this.limits.windowMs, 'NX');
      await multi.exec();
    } catch (error) {
      this.degraded(error);
      const now = Date.now();
      for (const key of keys) {
        const entry = this.memory.get(key);
        if (!entry || entry.resetAt <= now) this.memory.set(key, { count: 1, resetAt: now + this.limits.windowMs });
        else entry.count++;
      }
    }
  }

  /** A successful sign-in clears the account's counter (not the address's). */
  async recordSuccess(ip: string, email: string): Promise<void> {
    const key = this.keys(ip, email)[1]![0];
    this.memory.delete(key);
    await this.redis.del(key).catch((error: unknown) => this.degraded(error));
  }

  private async read(keys: string[]): Promise<Array<{ count: number; ttlS: number }>> {
    try {
      const multi = this.redis.multi();
      for (const key of keys) multi.get(key).pttl(key);
      const replies = (await multi.exec()) ?? [];
      return keys.map((_, i) => ({ count: Number(replies[2 * i]?.[1] ?? 0), ttlS: Math.ceil(Math.max(0, Number(replies[2 * i + 1]?.[1] ?? 0)) / 1000) }));
    } catch (error) {
      this.degraded(error);
      const now = Date.now();
      return keys.map((k) => {
        const entry = this.memory.get(k);
        return entry && entry.resetAt > now ? { count: entry.count, ttlS: Math.ceil((entry.resetAt - now) / 1000) } : { count: 0, ttlS: 0 };
      });
    }
  }

  private degraded(error: unknown): void {
    this.log.warn({ err: (error as Error).message }, 'Redis did not answer: counting failed sign-ins in this process only');
  }
}
