import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/domain/errors.js';
import { ITEM_STATUSES } from '../../../src/domain/item.js';
import {
  mayApprove,
  REVIEW_STATES,
  reviewAfterEdit,
  reviewTransition,
  type ReviewState,
} from '../../../src/domain/review.js';

type Decision = Parameters<typeof reviewTransition>[0];
const ACTIONS: Decision[] = ['submitted', 'approved', 'changes_requested', 'rejected'];

/** What each action does from each state of a draft item; a string is the refusal's code. */
const EXPECTED: Record<ReviewState, Record<Decision, ReviewState | string>> = {
  draft: {
    submitted: 'in_review',
    approved: 'not_in_review',
    changes_requested: 'not_in_review',
    rejected: 'not_in_review',
  },
  in_review: {
    submitted: 'already_submitted',
    approved: 'approved',
    changes_requested: 'changes_requested',
    rejected: 'rejected',
  },
  approved: {
    submitted: 'already_submitted',
    approved: 'not_in_review',
    changes_requested: 'not_in_review',
    rejected: 'not_in_review',
  },
  changes_requested: {
    submitted: 'in_review',
    approved: 'not_in_review',
    changes_requested: 'not_in_review',
    rejected: 'not_in_review',
  },
  rejected: {
    submitted: 'review_rejected',
    approved: 'review_rejected',
    changes_requested: 'review_rejected',
    rejected: 'review_rejected',
  },
};

function outcome(action: Decision, state: ReviewState, status: (typeof ITEM_STATUSES)[number]): string {
  try {
    return reviewTransition(action, state, status);
  } catch (error) {
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).httpStatus).toBe(409);
    return (error as ConflictError).code;
  }
}

describe('review transitions', () => {
  it('every action from every state of a draft item: the allowed ones move, the others are refused with a stable code', () => {
    for (const state of REVIEW_STATES)
      for (const action of ACTIONS)
        expect({ state, action, got: outcome(action, state, 'draft') }).toEqual({
          state,
          action,
          got: EXPECTED[state][action],
        });
  });

  it('a published or scheduled item cannot be submitted; a withdrawn one can', () => {
    for (const state of ['draft', 'changes_requested'] as const) {
      expect(outcome('submitted', state, 'published')).toBe('already_published');
      expect(outcome('submitted', state, 'scheduled')).toBe('already_published');
      expect(outcome('submitted', state, 'withdrawn')).toBe('in_review');
    }
  });

  it('a decision on an item in review does not depend on its status', () => {
    for (const status of ITEM_STATUSES) expect(outcome('approved', 'in_review', status)).toBe('approved');
  });

  it('an edit sends an item in review, approved or waiting for changes back to draft, and leaves the others', () => {
    expect(Object.fromEntries(REVIEW_STATES.map((s) => [s, reviewAfterEdit(s)]))).toEqual({
      draft: null,
      in_review: 'draft',
      approved: 'draft',
      changes_requested: 'draft',
      rejected: null,
    });
  });

  it('four eyes: neither the author nor the one who submitted may approve', () => {
    const review = { author: 'ana@example.org', submittedBy: 'ben@example.org' };
    expect(mayApprove(review, 'ana@example.org')).toBe(false);
    expect(mayApprove(review, 'ben@example.org')).toBe(false);
    expect(mayApprove(review, 'cleo@example.org')).toBe(true);
    expect(mayApprove({ author: null, submittedBy: 'api' }, 'api')).toBe(false);
  });
});
