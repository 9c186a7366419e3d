import { ClaimLostError } from '../domain/errors.js';

/**
 * The check an attempt makes right before a side effect: throws ClaimLostError once another worker has claimed
 * the delivery. `holds` asks the database (the claim's attempt number is the fencing token).
 *
 * The answer is only as fresh as the moment the question was asked. Another worker can take the delivery over
 * only after this one's job lock expired, which takes `lockMs` without renewal; an answer that came back within
 * a quarter of that is trusted, and one that took longer (the process was paused or starved while waiting) is
 * asked again. What stays open is the time between the last answer and the request leaving the process: see
 * "A frozen worker stands down" in the README.
 */
export function claimFence(
  deliveryId: string,
  holds: () => Promise<boolean>,
  lockMs: number,
  now: () => number = () => performance.now(),
): () => Promise<void> {
  const trustMs = lockMs / 4;
  return async () => {
    for (;;) {
      const asked = now();
      if (!(await holds())) throw new ClaimLostError(deliveryId);
      if (now() - asked <= trustMs) return;
    }
  };
}
