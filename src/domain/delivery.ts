import type { ErrorClassKind } from './delivery-outcome.js';
import { HeraldError } from './errors.js';

export const DELIVERY_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What a delivery does: publish to a channel account, rebuild a feed, send a newsletter. */
export const DELIVERY_KINDS = ['channel', 'feed', 'newsletter'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/** `create` posts something new; `update` edits what an earlier revision posted; `delete` removes it. */
export type DeliveryAction = 'create' | 'update' | 'delete';

/** A delivery's last error: a classified failure, or an attempt cut off with its outcome unknown. */
export type ErrorKind = ErrorClassKind | 'unknown_outcome';

export interface Delivery {
  id: string;
  itemId: string;
  revision: number;
  kind: DeliveryKind;
  /** Channel account id, feed name or newsletter id. */
  target: string;
  action: DeliveryAction;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  errorKind: ErrorKind | null;
  remoteId: string | null;
  remoteUrl: string | null;
  /** Channel-specific progress kept across attempts (e.g. tweet ids of a thread already posted). */
  progress: Record<string, unknown>;
  nextAttemptAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const TRANSITIONS: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  // pending -> pending: a retry is scheduled after a transient error or a rate limit.
  pending: ['running', 'cancelled', 'pending'],
  // running -> running: a re-run after a crash claims it again; running -> pending: released for a retry.
  running: ['done', 'failed', 'pending', 'running', 'cancelled'],
  done: [],
  // a person may retry a failed delivery.
  failed: ['pending'],
  cancelled: [],
};

export function canTransition(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function statusesThatCanBecome(to: DeliveryStatus): DeliveryStatus[] {
  return DELIVERY_STATUSES.filter((from) => canTransition(from, to));
}

export class TransitionError extends HeraldError {
  constructor(
    readonly from: DeliveryStatus,
    readonly to: DeliveryStatus,
  ) {
    super(`a delivery cannot go from ${from} to ${to}`, { code: 'invalid_transition', httpStatus: 409 });
  }
}

export function assertTransition(from: DeliveryStatus, to: DeliveryStatus): void {
  if (!canTransition(from, to)) throw new TransitionError(from, to);
}

/** Exponential backoff with full jitter, in milliseconds. `attempt` starts at 1. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
