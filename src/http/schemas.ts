import { REVIEW_COMMENT_MAX } from '../domain/review.js';
import { z } from 'zod';
import { NotFoundError } from '../domain/errors.js';
import { ITEM_STATUSES } from '../domain/item.js';

/** Ids are ours (`itm_` + 32 hex); anything else cannot exist, whatever it contains. */
export const ITEM_ID = /^itm_[0-9a-f]{32}$/;
export const DELIVERY_ID = /^dlv_[0-9a-f]{32}$/;
export const DRY_RUN_POST_ID = /^out_[0-9a-f]{32}$/;

/** The path's `:id` when it has the form of `pattern`; else the `what` is not found (404). */
export function pathId(params: unknown, pattern: RegExp, what: string): string {
  const id = String((params as { id?: unknown }).id ?? '');
  if (!pattern.test(id)) throw new NotFoundError(what, id.slice(0, 80));
  return id;
}

export const listItemsQuery = z.strictObject({
  status: z.enum(ITEM_STATUSES, { error: `must be one of ${ITEM_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be 1-100')
    .max(100, 'must be 1-100')
    .default(20),
  offset: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .default(0),
});

export const publishBody = z
  .strictObject({
    at: z.string({ error: 'must be an ISO-8601 date-time string' }).max(64, 'is too long').optional(),
    timezone: z.string({ error: 'must be an IANA time zone name' }).max(64, 'is too long').optional(),
    channels: z
      .array(z.string({ error: 'must be account ids' }).max(64), { error: 'must be a list of account ids' })
      .max(50)
      .optional()
      .describe('Left out: the channels a scheduled item was given, else every channel'),
    announce: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('Left out: what a scheduled item was given, else false'),
  })
  .nullish();

export const withdrawBody = z
  .strictObject({ deletePosts: z.boolean({ error: 'must be true or false' }).optional() })
  .nullish();

export const emptyBody = z.strictObject({}).nullish();

const reviewComment = z
  .string({ error: 'must be a string' })
  .trim()
  .max(REVIEW_COMMENT_MAX, `must be at most ${REVIEW_COMMENT_MAX} characters`);

/** Submitting for review: an optional proposed publication time and a note to the reviewer. */
export const submitBody = z
  .strictObject({
    at: publishBody.unwrap().unwrap().shape.at,
    timezone: publishBody.unwrap().unwrap().shape.timezone,
    comment: reviewComment.optional(),
  })
  .nullish();

/** Approving: publish now or at a time (the submitter's proposal when none is given), with a comment. */
export const approveBody = publishBody
  .unwrap()
  .unwrap()
  .extend({ comment: reviewComment.optional() })
  .nullish();

/** Asking for changes or rejecting: the comment says why. */
export const decisionBody = z.strictObject({
  comment: reviewComment.min(1, 'is required (say what to change, or why)'),
});
