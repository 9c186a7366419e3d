import { describe, expect, it } from 'vitest';
import { InstanceLimits, limitsOf } from '../../../src/channels/mastodon/instance.js';

const document = (max: unknown, url: unknown = 23) => ({
  configuration: { statuses: { max_characters: max, characters_reserved_per_url: url } },
});

describe("a Mastodon instance's limits", () => {
  it("reads max_characters and characters_reserved_per_url, Mastodon's defaults where missing or odd", () => {
    expect(limitsOf(document(5_000, 30))).toEqual({ maxCharacters: 5_000, urlLength: 30 });
    expect(limitsOf({})).toEqual({ maxCharacters: 500, urlLength: 23 });
    expect(limitsOf(null)).toEqual({ maxCharacters: 500, urlLength: 23 });
    expect(limitsOf(document('1000', -1))).toEqual({ maxCharacters: 500, urlLength: 23 });
  });

  it('shares one read, keeps the limits read before when a refresh fails, and throws a first failure', async () => {
    let now = new Date('2026-12-07T10:00:00Z');
    const answers: Array<() => Promise<unknown>> = [
      () => Promise.reject(new Error('down')),
      () => Promise.resolve(document(1_000)),
      () => Promise.reject(new Error('busy')),
      () => Promise.resolve(document(2_000)),
    ];
    let reads = 0;
    const limits = new InstanceLimits(
      () => answers[reads++]!() as never,
      () => now,
      60_000,
    );
    await expect(limits.get()).rejects.toThrow('down');
    expect(limits.known()).toBeUndefined();
    const [a, b] = await Promise.all([limits.get(), limits.get()]);
    expect(a).toEqual({ maxCharacters: 1_000, urlLength: 23 });
    expect(b).toBe(a);
    expect(reads).toBe(2);
    now = new Date('2026-12-07T10:02:00Z');
    expect((await limits.get()).maxCharacters).toBe(1_000); // the refresh failed: the old limits stay
    expect(reads).toBe(3);
    now = new Date('2026-12-07T10:04:00Z');
    expect((await limits.get()).maxCharacters).toBe(2_000);
    expect(limits.known()?.maxCharacters).toBe(2_000);
  });
});
