import { ConflictError, HeraldError } from './errors.js';
import type { ItemStatus } from './item.js';

// The review of an item: a contributor (or anyone) submits it, a second person approves it, asks for
// changes or rejects it. The review state lives beside the item's status (draft, scheduled, published,
// withdrawn): an approved item is then published or scheduled as any other.

export const REVIEW_STATES = ['draft', 'in_review', 'approved', 'changes_requested', 'rejected'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** What people do in a review; `returned` is an edit that sent a submitted or approved item back to draft. */
export const REVIEW_ACTIONS = ['submitted', 'approved', 'changes_requested', 'rejected', 'returned'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

/** One transition: who, when, an optional comment, and the revision it concerned. */
export interface ReviewEvent {
  itemId: string;
  action: ReviewAction;
  actor: string;
  at: string;
  comment: string | null;
  revision: number;
}

/** An item's review as stored beside it. */
export interface ItemReview {
  itemId: string;
  state: ReviewState;
  /** Who wrote the item (a staff email or `api`); null for items older than reviews. */
  author: string | null;
  /** Who last submitted it. */
  submittedBy: string | null;
  submittedAt: string | null;
  /** The revision last submitted: what the reviewer saw, for the changed-since-submission view. */
  submittedRevision: number | null;
  /** The publication time the submitter proposed (ISO UTC) and its zone; the reviewer may keep or change it. */
  proposedAt: string | null;
  proposedTimezone: string | null;
}

/** The states each action may start from: the one place these rules live. */
const FROM: Record<Exclude<ReviewAction, 'returned'>, readonly ReviewState[]> = {
  submitted: ['draft', 'changes_requested'],
  approved: ['in_review'],
  changes_requested: ['in_review'],
  rejected: ['in_review'],
};

const TO: Record<ReviewAction, ReviewState> = {
  submitted: 'in_review',
  approved: 'approved',
  changes_requested: 'changes_requested',
  rejected: 'rejected',
  returned: 'draft',
};

/** Approving one's own item under the four-eyes rule. */
export class OwnReviewError extends HeraldError {
  constructor() {
    super('an item needs approval by someone other than its author (four-eyes rule)', {
      code: 'own_item',
      httpStatus: 403,
    });
  }
}

const WORDS: Record<ReviewState, string> = {
  draft: 'a draft (not submitted)',
  in_review: 'in review',
  approved: 'already approved',
  changes_requested: 'waiting for changes',
  rejected: 'rejected',
};

/**
 * The state an action leads to, or a ConflictError (409): approving a draft (`not_in_review`), submitting a
 * published item (`already_published`) or one already in review (`already_submitted`), anything on a
 * rejected item (`review_rejected`).
 */
export function reviewTransition(
  action: Exclude<ReviewAction, 'returned'>,
  state: ReviewState,
  status: ItemStatus,
): ReviewState {
  if (action === 'submitted' && (status === 'published' || status === 'scheduled'))
    throw new ConflictError(
      `a ${status} item cannot be submitted for review; edit it first (an edit makes a new revision to submit)`,
      'already_published',
    );
  if (FROM[action].includes(state)) return TO[action];
  if (state === 'rejected')
    throw new ConflictError('this item was rejected; copy it to start again', 'review_rejected');
  if (action === 'submitted') throw new ConflictError(`this item is ${WORDS[state]}`, 'already_submitted');
  throw new ConflictError(
    `only an item in review can be ${action.replace('_', ' ')}; this one is ${WORDS[state]}`,
    'not_in_review',
  );
}

/**
 * What an edit does to the review: an item in review, approved or waiting for changes goes back to draft
 * (what was reviewed is no longer what would go out; it must be submitted again). Null: no change.
 */
export function reviewAfterEdit(state: ReviewState): ReviewState | null {
  return state === 'in_review' || state === 'approved' || state === 'changes_requested' ? 'draft' : null;
}

/** Whether the four-eyes rule lets this person approve: never the author, never the one who submitted it. */
export function mayApprove(review: Pick<ItemReview, 'author' | 'submittedBy'>, actor: string): boolean {
  return review.author !== actor && review.submittedBy !== actor;
}

/** A decision's comment: required when asking for changes or rejecting, trimmed, at most 5,000 characters. */
export const REVIEW_COMMENT_MAX = 5_000;
