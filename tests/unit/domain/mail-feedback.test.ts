import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SUPPRESSION_POLICY as POLICY,
  judgeFeedback,
  softBounceWindowStart,
  strongerReason,
  summariseFeedback,
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

describe('a newsletter feedback summary', () => {
  const counts = (complaint: number) => ({ hard: 10, soft: 4, complaint, unsubscribe: 20 });
  it('gives counts and rates of the messages sent', () => {
    expect(summariseFeedback(10_000, counts(5))).toEqual({
      delivered: 9_990,
      bounced: { hard: 10, soft: 4 },
      complained: 5,
      unsubscribed: 20,
      rates: {
        delivered: 0.999,
        hardBounced: 0.001,
        softBounced: 0.0004,
        complained: 0.0005,
        unsubscribed: 0.002,
      },
      complaintLevel: 'ok',
    });
    expect(summariseFeedback(0, counts(0)).rates.complained).toBe(0);
  });

  it('warns at 0.1% complaints and alarms at 0.3%', () => {
    expect(summariseFeedback(10_000, counts(9)).complaintLevel).toBe('ok');
    expect(summariseFeedback(10_000, counts(10)).complaintLevel).toBe('warn');
    expect(summariseFeedback(10_000, counts(29)).complaintLevel).toBe('warn');
    expect(summariseFeedback(10_000, counts(30)).complaintLevel).toBe('alarm');
  });
});
