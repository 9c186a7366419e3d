import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  backoffDelay,
  canTransition,
  DELIVERY_STATUSES,
  TransitionError,
} from '../../../src/domain/delivery.js';

describe('delivery state transitions', () => {
  const allowed = new Set([
    'pending>running',
    'pending>cancelled',
    'pending>pending',
    'running>done',
    'running>failed',
    'running>pending',
    'running>running',
    'running>cancelled',
    'failed>pending',
  ]);
  for (const from of DELIVERY_STATUSES) {
    for (const to of DELIVERY_STATUSES) {
      const ok = allowed.has(`${from}>${to}`);
      it(`${from} -> ${to} is ${ok ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(ok);
        if (ok) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to)).toThrow(TransitionError);
      });
    }
  }
  it('done and cancelled are final', () => {
    for (const to of DELIVERY_STATUSES) {
      expect(canTransition('done', to)).toBe(false);
      expect(canTransition('cancelled', to)).toBe(false);
    }
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter between half and all of the ceiling, capped', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
