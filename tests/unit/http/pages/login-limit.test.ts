import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { LoginLimiter } from '../../../../src/http/pages/login-limit.js';

describe('sign-in limiter without Redis', () => {
  it('keeps counting in memory (and says so in the log) when Redis does not answer', async () => {
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const limiter = new LoginLimiter(redis, '{t}', { perAccount: 2, perIp: 10, windowMs: 60_000 }, log);
    expect((await limiter.attempt('10.0.0.1', 'a@example.org')).blocked).toBe(false);
    expect((await limiter.attempt('10.0.0.2', 'A@example.org ')).blocked).toBe(false);
    const state = await limiter.attempt('10.0.0.3', 'a@example.org');
    expect(state.blocked).toBe(true);
    expect(state.retryAfterS).toBeGreaterThan(50);
    expect((await limiter.attempt('10.0.0.3', 'b@example.org')).blocked).toBe(false);
    await limiter.recordSuccess('10.0.0.3', 'a@example.org');
    expect((await limiter.attempt('10.0.0.3', 'a@example.org')).blocked).toBe(false);
    expect(lines.join('')).toContain('counting sign-in attempts in this process only');
    redis.disconnect();
  });
});
