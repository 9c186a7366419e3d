import { describe, expect, it } from 'vitest';
import { claimFence } from '../../../src/queues/claim-fence.js';
import { ClaimLostError } from '../../../src/domain/errors.js';

const LOCK_MS = 4_000;

/** A fence over a scripted database: each answer takes `tookMs` on the clock and says whether the claim holds. */
function scripted(answers: Array<{ holds: boolean; tookMs: number }>) {
  let clock = 0;
  let asked = 0;
  const fence = claimFence(
    'd1',
    async () => {
      const answer = answers[asked++]!;
      clock += answer.tookMs;
      return answer.holds;
    },
    LOCK_MS,
    () => clock,
  );
  return { fence, asked: () => asked };
}

describe('claimFence', () => {
  it('trusts a quick answer that the claim holds', async () => {
    const { fence, asked } = scripted([{ holds: true, tookMs: 5 }]);
    await fence();
    expect(asked()).toBe(1);
  });

  it('throws ClaimLostError when another worker holds the claim', async () => {
    const { fence } = scripted([{ holds: false, tookMs: 5 }]);
    await expect(fence()).rejects.toBeInstanceOf(ClaimLostError);
  });

  it('asks again when the answer took more than a quarter of the lock (the process was paused)', async () => {
    const { fence, asked } = scripted([
      { holds: true, tookMs: LOCK_MS / 4 + 1 },
      { holds: false, tookMs: 5 },
    ]);
    await expect(fence()).rejects.toBeInstanceOf(ClaimLostError);
    expect(asked()).toBe(2);
  });

  it('keeps asking until an answer comes back in time', async () => {
    const { fence, asked } = scripted([
      { holds: true, tookMs: LOCK_MS },
      { holds: true, tookMs: LOCK_MS },
      { holds: true, tookMs: 1 },
    ]);
    await fence();
    expect(asked()).toBe(3);
  });
});
