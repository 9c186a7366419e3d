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

// One atomic step per attempt: count it under every key, set the window on a new key, and return each
// count with its remaining time. Checking before counting let 40 parallel guesses all be judged.
const COUNT_ATTEMPT = `
local out = {}
for _, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  table.insert(out, n)
  table.insert(out, redis.call('PTTL', key))
end
return out`;

/**
 * Counts sign-in attempts per client address and per account, in Redis so that every API process shares
 * the counts. Each attempt is counted and judged in one atomic step (a Lua script), before the password is
 * checked: an attempt past a limit is refused whatever its password. A success takes itself back from the
 * address's count and clears the account's. When Redis does not answer it falls back to counting in this
 * process's memory (logged): sign-in keeps working, with limits per process instead of per installation.
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

  /** Counts one attempt and says whether it may be judged (blocked: refuse it without checking the password). */
  async attempt(ip: string, email: string): Promise<LimitState> {
    const keys = this.keys(ip, email);
    const counts = await this.count(keys.map(([k]) => k));
    let retryAfterS = 0;
    let blocked = false;
    keys.forEach(([, limit], i) => {
      const c = counts[i]!;
      if (c.count > limit) {
        blocked = true;
        retryAfterS = Math.max(retryAfterS, c.ttlS, 1);
      }
    });
    return { blocked, retryAfterS };
  }

  /** A successful sign-in does not count against the address, and clears the account's counter. */
  async recordSuccess(ip: string, email: string): Promise<void> {
    const [[ipKey], [accountKey]] = this.keys(ip, email) as [[string, number], [string, number]];
    this.memory.delete(accountKey);
    const entry = this.memory.get(ipKey);
    if (entry) entry.count = Math.max(0, entry.count - 1);
    await this.redis
      .multi()
      .del(accountKey)
      .decr(ipKey)
      .exec()
      .catch((error: unknown) => this.degraded(error));
  }

  private async count(keys: string[]): Promise<Array<{ count: number; ttlS: number }>> {
    try {
      const replies = (await this.redis.eval(
        COUNT_ATTEMPT,
        keys.length,
        ...keys,
        String(this.limits.windowMs),
      )) as number[];
      return keys.map((_, i) => ({
        count: Number(replies[2 * i]),
        ttlS: Math.ceil(Math.max(0, Number(replies[2 * i + 1])) / 1000),
      }));
    } catch (error) {
      this.degraded(error);
      const now = Date.now();
      return keys.map((k) => {
        let entry = this.memory.get(k);
        if (!entry || entry.resetAt <= now) {
          entry = { count: 0, resetAt: now + this.limits.windowMs };
          this.memory.set(k, entry);
        }
        entry.count++;
        return { count: entry.count, ttlS: Math.ceil((entry.resetAt - now) / 1000) };
      });
    }
  }

  private degraded(error: unknown): void {
    this.log.warn(
      { err: (error as Error).message },
      'Redis did not answer: counting sign-in attempts in this process only',
    );
  }
}
