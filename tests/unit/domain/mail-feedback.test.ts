import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SUPPRESSION_POLICY as POLICY,
  judgeFeedback,
  softBounceWindowStart,
  strongerReason,
} from '../../../src/domain/mail-feedback.js';

describe('mail feedback policy', () => {
  it('suppresses at once on a hard bounce or a complaint', () => {
    expect(judgeFeedback('hard', 'active', 0, POLICY)).toEqual({ status: 'bounced', suppress: 'hard' });
    expect(judgeFeedback('complaint', 'active', 0, POLICY)).toEqual({
      status: 'complained',
      suppress: 'complaint',
    });
    expect(judgeFeedback('complaint', 'unsubscribed', 0, POLICY)).toEqual({
      status: 'complained',
      suppress: 'complaint',
    });
    expect(judgeFeedback('hard', 'unsubscribed', 0, POLICY)).toEqual({ status: null, suppress: 'hard' });
  });

  it('suppresses on the third soft bounce in the window, not before', () => {
    expect(judgeFeedback('soft', 'active', 2, POLICY)).toEqual({ status: null, suppress: null });
    expect(judgeFeedback('soft', 'active', 3, POLICY)).toEqual({ status: 'bounced', suppress: 'soft' });
    expect(judgeFeedback('soft', 'active', 2, { softBounces: 2, softBounceDays: 1 })).toEqual({
      status: 'bounced',
      suppress: 'soft',
    });
    expect(softBounceWindowStart(new Date('2026-12-16T00:00:00Z'), POLICY)).toBe('2026-12-01T00:00:00.000Z');
  });

  it('keeps a complaint: nothing but a new opt-in undoes it', () => {
    expect(judgeFeedback('unsubscribe', 'complained', 0, POLICY)).toEqual({ status: null, suppress: null });
    expect(judgeFeedback('hard', 'complained', 0, POLICY).status).toBeNull();
    expect(judgeFeedback('unsubscribe', 'bounced', 0, POLICY)).toEqual({
      status: 'unsubscribed',
      suppress: null,
    });
    expect(strongerReason('complaint', 'hard')).toBe('complaint');
    expect(strongerReason('soft', 'hard')).toBe('hard');
  });
});
