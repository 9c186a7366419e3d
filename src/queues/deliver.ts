import { DelayedError, UnrecoverableError, type Job, type Processor } from 'bullmq';
import type { Logger } from 'pino';
import type { Delivery } from '../domain/delivery.js';
import type { NewsItem } from '../domain/item.js';
import type { ErrorClass, PublishResult } from '../domain/delivery-outcome.js';
import type { Store } from '../store/db.js';
import {
  claimDelivery,
  failDelivery,
  holdsClaim,
  releaseDelivery,
  unclaimDelivery,
} from '../store/deliveries.js';
import { findItem } from '../store/items.js';
import { recordAudit } from '../store/audit.js';
import { deliveryJobSchema } from './payloads.js';
import type { RateGate } from './rate-gate.js';
import { gateWaitMessage, gaveUpMessage, retryingMessage } from '../domain/delivery-words.js';
import {
  completeRunningDelivery,
  noteWaitingDelivery,
  writeRunningProgress,
} from '../store/running-delivery.js';
import type { DeliveryOutcome, Telemetry } from './telemetry.js';
import { ClaimLostError } from '../domain/errors.js';
import { claimFence } from './claim-fence.js';
import { holdRunningDelivery } from '../store/held-deliveries.js';
import { holdFor } from '../domain/account-hold.js';

export interface DeliveryRun {
  delivery: Delivery;
  item: NewsItem;
  /** The previous attempt may have reached the platform: look before posting again. */
  outcomeUnknown: boolean;
  saveProgress(progress: Record<string, unknown>): Promise<void>;
  /**
   * Throws ClaimLostError when another worker has taken the delivery over (this one was frozen or cut off
   * from Redis past its job lock). Call it right before the side effect (see claimFence).
   */
  ensureClaim(): Promise<void>;
}

/** Carries out one kind of delivery (channel post, feed rebuild, newsletter). */
export interface DeliveryHandler {
  /** The shared rate budget this delivery draws on (e.g. `account:twitter-main`), or null. */
  gateKey(delivery: Delivery): string | null;
  run(input: DeliveryRun): Promise<PublishResult | { remoteId: null; remoteUrl: null }>;
  classify(error: unknown, delivery: Delivery): ErrorClass;
  /** Called when the platform refused our credentials (mark the account, tell people). */
  onAuthFailure?(delivery: Delivery, problem: ErrorClass): Promise<void>;
  /** Called when a delivery is held (mark its account when the hold is the account's). */
  onHold?(delivery: Delivery, problem: ErrorClass): Promise<void>;
}

export interface DeliveryProcessorDeps {
  store: Store;
  gate: RateGate;
  log: Logger;
  handlers: Partial<Record<Delivery['kind'], DeliveryHandler>>;
  backoffMs: number;
  /** The workers' job lock (BullMQ lockDuration): how long a silent job keeps its lock. */
  lockMs: number;
  metrics?: Telemetry;
}

export function makeDeliveryProcessor(deps: DeliveryProcessorDeps): Processor {
  return async (job: Job, token?: string) => {
    const { deliveryId } = deliveryJobSchema.parse(job.data);
    const claim = await claimDelivery(deps.store.db, deliveryId);
    if (!claim) return { skipped: 'not runnable' };
    const { delivery } = claim;
    const item = await findItem(deps.store.db, delivery.itemId);
    const handler = deps.handlers[delivery.kind];
    if (!item || !handler) {
      await failDelivery(
        deps.store.db,
        deliveryId,
        'permanent',
        item
          ? `no worker handles ${delivery.kind} deliveries in this installation`
          : 'the item no longer exists',
      );
      return { skipped: 'unrunnable' };
    }
    const gateKey = handler.gateKey(delivery);
    const waitUntil = gateKey ? await deps.gate.closedUntil(gateKey) : 0;
    if (waitUntil > 0) {
      // Another job hit this account's rate limit: give the claim back untouched and wait for the reset.
      deps.metrics?.rateLimitWait(gateKey!, waitUntil - Date.now());
      await unclaimDelivery(deps.store.db, delivery, new Date(waitUntil).toISOString());
      await noteWaitingDelivery(deps.store.db, deliveryId, gateWaitMessage(new Date(waitUntil)));
      return delayJob(job, token, waitUntil);
    }
    const outcomeUnknown = claim.outcomeUnknown;
    const started = performance.now();
    const report = (outcome: DeliveryOutcome) => reportAttempt(deps, delivery, outcome, started);
    try {
      const result = await handler.run({
        delivery,
        item,
        outcomeUnknown,
        saveProgress: async (progress) => {
          // Merged into the object the handler reads (progress found by findExisting is seen by the publish that
          // follows), then written whole: the claim's copy is the current one while this attempt runs.
          delivery.progress = { ...delivery.progress, ...progress };
          await writeRunningProgress(deps.store.db, deliveryId, delivery.progress);
        },
        ensureClaim: claimFence(
          deliveryId,
          () => holdsClaim(deps.store.db, deliveryId, delivery.attempts),
          deps.lockMs,
        ),
      });
      // A job re-run after a stall finds the delivery done already: counted once, by the attempt that completed it.
      if (await completeRunningDelivery(deps.store.db, delivery, result)) report('done');
      deps.log.info(
        { deliveryId, kind: delivery.kind, target: delivery.target, remoteId: result.remoteId },
        'delivered',
      );
      return { remoteId: result.remoteId };
    } catch (error) {
      if (error instanceof ClaimLostError) {
        deps.log.warn(
          { deliveryId, target: delivery.target },
          'another worker took this delivery over; leaving it to them',
        );
        return { skipped: 'taken over' };
      }
      return handleFailure(deps, handler, job, token, delivery, error, outcomeUnknown, report);
    }
  };
}

function reportAttempt(
  deps: DeliveryProcessorDeps,
  delivery: Delivery,
  outcome: DeliveryOutcome,
  started: number,
): void {
  const seconds = (performance.now() - started) / 1_000;
  const sincePublishedSeconds =
    outcome === 'done' ? Math.max(0, (Date.now() - Date.parse(delivery.createdAt)) / 1_000) : undefined;
  deps.metrics?.delivery({
    kind: delivery.kind,
    target: delivery.target,
    outcome,
    seconds,
    sincePublishedSeconds,
  });
}

async function delayJob(job: Job, token: string | undefined, until: number): Promise<never> {
  await job.moveToDelayed(until, token);
  throw new DelayedError();
}

async function handleFailure(
  deps: DeliveryProcessorDeps,
  handler: DeliveryHandler,
  job: Job,
  token: string | undefined,
  delivery: Delivery,
  error: unknown,
  outcomeUnknown: boolean,
  report: (outcome: DeliveryOutcome) => void,
): Promise<{ held: string }> {
  const problem = handler.classify(error, delivery);
  const { db } = deps.store;
  const log = {
    deliveryId: delivery.id,
    target: delivery.target,
    kind: problem.kind,
    reason: problem.message,
  };
  switch (problem.kind) {
    case 'held': {
      // Neither failed nor retried: the job ends and the delivery waits, without a job, for its release.
      const kind = outcomeUnknown ? 'unknown_outcome' : 'held';
      await holdRunningDelivery(db, delivery, kind, problem.message, holdFor(problem, new Date()));
      await handler.onHold?.(delivery, problem);
      report('held');
      deps.log.warn(log, 'delivery held');
      return { held: problem.message };
    }
    case 'rate_limited': {
      const until = Math.max(problem.retryAt?.getTime() ?? 0, Date.now() + 1_000);
      const gateKey = handler.gateKey(delivery);
      if (gateKey) await deps.gate.close(gateKey, until);
      // A rate limit is not the delivery's fault: the attempt is given back. An uncertain earlier outcome stays
      // uncertain (the limit may have hit the look-up), so the next attempt still looks before posting.
      const kind = outcomeUnknown ? 'unknown_outcome' : 'rate_limited';
      await releaseDelivery(db, delivery.id, kind, problem.message, new Date(until).toISOString(), {
        refundAttempt: true,
      });
      report('rate_limited');
      if (gateKey) deps.metrics?.rateLimitWait(gateKey, until - Date.now());
      deps.log.warn(log, 'rate limited; waiting for the reset');
      return delayJob(job, token, until);
    }
    case 'transient': {
      const attemptsAllowed = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attemptsAllowed) {
        const message = gaveUpMessage(attemptsAllowed, problem.message);
        await failDelivery(db, delivery.id, 'transient', message);
        await auditFailure(db, delivery, message);
        report('failed');
        deps.log.error(log, 'delivery failed for good');
        throw new UnrecoverableError(message);
      }
      // Shown to people as "next try around"; BullMQ's backoffStrategy picks the actual instant (same formula).
      const next = new Date(Date.now() + deps.backoffMs * 2 ** job.attemptsMade).toISOString();
      await releaseDelivery(
        db,
        delivery.id,
        'transient',
        retryingMessage(problem.message, job.attemptsMade + 1, attemptsAllowed),
        next,
      );
      report('retried');
      deps.log.warn(log, 'transient failure; will retry');
      throw new Error(problem.message);
    }
    case 'auth':
    case 'permanent': {
      await failDelivery(db, delivery.id, problem.kind, problem.message);
      if (problem.kind === 'auth') await handler.onAuthFailure?.(delivery, problem);
      await auditFailure(db, delivery, problem.message);
      report('failed');
      deps.log.error(log, 'delivery failed');
      throw new UnrecoverableError(problem.message);
    }
  }
}

/** The audit log's record of a delivery that failed for good (the entry carries its own time). */
function auditFailure(
  db: DeliveryProcessorDeps['store']['db'],
  delivery: Delivery,
  reason: string,
): Promise<void> {
  return recordAudit(db, {
    actor: 'worker',
    action: 'delivery_failed',
    subjectType: 'item',
    subjectId: delivery.itemId,
    details: { delivery: delivery.id, target: delivery.target, reason },
  });
}
