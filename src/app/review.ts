import { ValidationError } from '../domain/errors.js';
import {
  mayApprove,
  OwnReviewError,
  reviewAfterEdit,
  reviewTransition,
  type ItemReview,
  type ReviewAction,
} from '../domain/review.js';
import { parsePublishTime, whenToRun } from '../domain/schedule.js';
import type { Store } from '../store/db.js';
import { nowIso } from '../store/db.js';
import { getItem } from '../store/items.js';
import { findReview, insertReviewEvent, saveReview } from '../store/reviews.js';
import { recordAudit } from '../store/audit.js';
import { requestPublish, validateChannels, type FlowDeps, type PublishOutcome } from './publishing.js';

// The review loop: submit, then approve (and publish or schedule), ask for changes, or reject. Each step
// is one transaction that changes the review, writes its event and the audit line.

type Db = Store['db'];

/** Records the author of a new item (its review starts as a draft). */
export async function recordAuthor(db: Db, itemId: string, author: string): Promise<void> {
  await saveReview(db, { ...(await findReview(db, itemId)), author });
}

async function recordStep(
  db: Db,
  review: ItemReview,
  step: { action: ReviewAction; actor: string; comment: string | null; revision: number },
): Promise<void> {
  const at = nowIso();
  await saveReview(db, review);
  await insertReviewEvent(db, { itemId: review.itemId, ...step, at });
  await recordAudit(db, {
    actor: step.actor,
    action: `review_${step.action}`,
    subjectType: 'item',
    subjectId: review.itemId,
    details: {
      revision: step.revision,
      state: review.state,
      ...(step.comment ? { comment: step.comment } : {}),
    },
  });
}

/** An edit of an item in review (or approved, or waiting for changes) sends it back to draft. */
export async function returnToDraftOnEdit(
  db: Db,
  itemId: string,
  actor: string,
  revision: number,
): Promise<void> {
  const review = await findReview(db, itemId);
  const next = reviewAfterEdit(review.state);
  if (next)
    await recordStep(db, { ...review, state: next }, { action: 'returned', actor, comment: null, revision });
}

export interface SubmitRequest {
  actor: string;
  /** A proposed publication time, in `timezone` (default: the installation's). */
  at?: string | undefined;
  timezone?: string | undefined;
  comment?: string | undefined;
}

export async function submitForReview(
  deps: Pick<FlowDeps, 'store' | 'timezone'>,
  itemId: string,
  req: SubmitRequest,
): Promise<ItemReview> {
  const proposed = req.at === undefined ? null : parsePublishTime(req.at, req.timezone ?? deps.timezone);
  if (proposed && whenToRun(proposed.at) === 'now')
    throw new ValidationError({ at: 'must be in the future (or left out)' });
  return deps.store.transaction(async (trx) => {
    const item = await getItem(trx, itemId);
    const review = await findReview(trx, itemId);
    const submitted: ItemReview = {
      ...review,
      state: reviewTransition('submitted', review.state, item.status),
      author: review.author ?? req.actor,
      submittedBy: req.actor,
      submittedAt: nowIso(),
      submittedRevision: item.revision,
      proposedAt: proposed?.at ?? null,
      proposedTimezone: proposed?.timezone ?? null,
    };
    await recordStep(trx, submitted, {
      action: 'submitted',
      actor: req.actor,
      comment: req.comment ?? null,
      revision: item.revision,
    });
    return submitted;
  });
}

/** Asks the author for changes, or rejects: a comment says why. */
export async function decideReview(
  store: Store,
  itemId: string,
  action: 'changes_requested' | 'rejected',
  req: { actor: string; comment: string },
): Promise<ItemReview> {
  return store.transaction(async (trx) => {
    const item = await getItem(trx, itemId);
    const review = await findReview(trx, itemId);
    const decided = { ...review, state: reviewTransition(action, review.state, item.status) };
    await recordStep(trx, decided, {
      action,
      actor: req.actor,
      comment: req.comment,
      revision: item.revision,
    });
    return decided;
  });
}

export interface ApproveRequest {
  actor: string;
  at?: string | undefined;
  timezone?: string | undefined;
  channels?: string[] | undefined;
  announce?: boolean | undefined;
  comment?: string | undefined;
}

/**
 * Approves (never by the author or the one who submitted it), then publishes now or schedules: at the time
 * given, else at the time the submitter proposed while it is still ahead, else now.
 */
export async function approveAndPublish(
  deps: FlowDeps,
  itemId: string,
  req: ApproveRequest,
): Promise<{ review: ItemReview; outcome: PublishOutcome }> {
  const chosen = req.at === undefined ? null : parsePublishTime(req.at, req.timezone ?? deps.timezone);
  if (chosen) whenToRun(chosen.at); // a time in the past is refused before anything is approved
  const review = await deps.store.transaction(async (trx) => {
    const item = await getItem(trx, itemId);
    const current = await findReview(trx, itemId);
    const state = reviewTransition('approved', current.state, item.status);
    if (!mayApprove(current, req.actor)) throw new OwnReviewError();
    validateChannels(deps, item, req.channels);
    const approved = { ...current, state };
    await recordStep(trx, approved, {
      action: 'approved',
      actor: req.actor,
      comment: req.comment ?? null,
      revision: item.revision,
    });
    return approved;
  });
  const when = chosen ?? proposedStillAhead(review);
  const outcome = await requestPublish(deps, itemId, {
    at: when?.at,
    timezone: when?.timezone,
    channels: req.channels,
    announce: req.announce,
    actor: req.actor,
  });
  return { review, outcome };
}

function proposedStillAhead(review: ItemReview): { at: string; timezone: string } | null {
  if (!review.proposedAt || Date.parse(review.proposedAt) <= Date.now()) return null;
  return { at: review.proposedAt, timezone: review.proposedTimezone ?? 'UTC' };
}
