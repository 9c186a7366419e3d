// What a failed attempt means for its recipient row (RFC 5321: 4xx = try later, 5xx = permanent), and
// what happens to a row whose attempt was cut off by a crash.
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/schema.js';
import { backoffDelay } from '../domain/delivery.js';
import type { Newsletter, Recipient } from '../domain/newsletter-send.js';
import type { Store } from '../store/db.js';
import { endInterruptedClaim, recordOutcome } from '../store/newsletters.js';
import type { Queues } from '../queues/producer.js';
import { applyFeedback } from './feedback.js';
import type { SmtpErrorClass } from './smtp-errors.js';
import { MailSendError } from './transport.js';

interface OutcomeDeps {
  store: Store;
  queues: Queues;
  log: Logger;
  config: HeraldConfig;
}

/** Consecutive server-wide failures in this process: the queue-wide pause grows with them. */
export class TransportHealth {
  private failures = 0;

  ok(): void {
    this.failures = 0;
  }

  nextPauseMs(config: HeraldConfig): number {
    this.failures++;
    return backoffDelay(
      this.failures,
      config.newsletter.retry.backoffMs,
      config.newsletter.retry.maxBackoffMs,
    );
  }
}

export interface FailedAttempt {
  row: Recipient;
  newsletter: Newsletter;
  error: unknown;
  /** The message's bytes had started to go to the server. */
  transmitted: boolean;
  job: Job;
  token: string | undefined;
}

function classificationOf(error: unknown): SmtpErrorClass & { internal: boolean } {
  if (error instanceof MailSendError) return { ...error.classification, internal: false };
  // Not an answer from the server: our bug or our database. Not the recipient's fault; retried.
  return {
    kind: 'deferred',
    scope: 'message',
    reply: `internal error: ${(error as Error)?.message ?? String(error)}`,
    outcomeUnknown: false,
    internal: true,
  };
}

/** Sends an unknown-outcome message again by itself? (.eml files are overwritten by Message-ID: always safe.) */
function resendsUnknown(config: HeraldConfig): boolean {
  return config.newsletter.unknownOutcome === 'resend' || !config.newsletter.smtpUrl;
}

export async function applyFailure(
  deps: OutcomeDeps,
  health: TransportHealth,
  failed: FailedAttempt,
): Promise<string> {
  const c = classificationOf(failed.error);
  const { row } = failed;
  const claimedAt = row.claimedAt!;
  const log = {
    recipientId: row.id,
    newsletterId: row.newsletterId,
    kind: c.kind,
    scope: c.scope,
    reply: c.reply,
  };
  if (c.internal) deps.log.error({ ...log, err: c.reply }, 'newsletter send failed on our side');
  if (failed.transmitted && c.outcomeUnknown) return unknownOutcome(deps, health, failed, c);
  if (c.kind === 'bounced') return bounced(deps, failed, c);
  if (c.kind === 'failed') {
    await recordOutcome(deps.store.db, row.id, claimedAt, { status: 'failed', reply: c.reply });
    deps.log.warn(log, 'newsletter message failed');
    return 'failed';
  }
  if (c.scope === 'transport') {
    // The server (or our access to it) has a problem every message would meet: the whole queue waits.
    const pause = health.nextPauseMs(deps.config);
    const next = new Date(Date.now() + pause).toISOString();
    await recordOutcome(deps.store.db, row.id, claimedAt, {
      status: 'deferred',
      reply: c.reply,
      nextAttemptAt: next,
      attempts: row.attempts - 1,
    });
    deps.log.warn({ ...log, pauseMs: pause }, 'mail server unavailable; the newsletter queue waits');
    await deps.queues.get('newsletter').rateLimit(pause);
    throw Worker.RateLimitError();
  }
  if (row.attempts >= deps.config.newsletter.retry.maxAttempts) {
    await recordOutcome(deps.store.db, row.id, claimedAt, {
      status: 'failed',
      reply: `gave up after ${row.attempts} attempts: ${c.reply}`,
    });
    deps.log.warn(log, 'newsletter recipient deferred too often; given up');
    return 'failed';
  }
  const { backoffMs, maxBackoffMs } = deps.config.newsletter.retry;
  const at = Date.now() + backoffDelay(row.attempts, backoffMs, maxBackoffMs);
  await recordOutcome(deps.store.db, row.id, claimedAt, {
    status: 'deferred',
    reply: c.reply,
    nextAttemptAt: new Date(at).toISOString(),
  });
  deps.log.info(log, 'newsletter recipient deferred');
  await failed.job.moveToDelayed(at, failed.token);
  throw new DelayedError();
}

async function bounced(deps: OutcomeDeps, { row }: FailedAttempt, c: SmtpErrorClass): Promise<string> {
  await recordOutcome(deps.store.db, row.id, row.claimedAt!, { status: 'bounced', reply: c.reply });
  // A mailbox refused for good stops receiving every newsletter until someone fixes the address.
  await applyFeedback(deps.store, deps.config.newsletter.suppression, {
    kind: 'hard',
    source: 'smtp',
    eventId: row.id,
    recipientId: row.id,
    detail: c.reply,
  });
  deps.log.warn(
    { recipientId: row.id, newsletterId: row.newsletterId, reply: c.reply },
    'newsletter recipient bounced',
  );
  return 'bounced';
}

const UNKNOWN_HELD =
  'the connection broke after the message was transmitted: the server may have accepted it. Not sent again automatically; "resend unknown" sends it again with the same Message-ID';

async function unknownOutcome(
  deps: OutcomeDeps,
  health: TransportHealth,
  { row, job, token }: FailedAttempt,
  c: SmtpErrorClass,
): Promise<string> {
  const pause = health.nextPauseMs(deps.config);
  if (resendsUnknown(deps.config)) {
    const at = Date.now() + pause;
    await recordOutcome(deps.store.db, row.id, row.claimedAt!, {
      status: 'deferred',
      reply: `outcome unknown (${c.reply}); sending again with the same Message-ID`,
      nextAttemptAt: new Date(at).toISOString(),
    });
    await job.moveToDelayed(at, token);
    throw new DelayedError();
  }
  await recordOutcome(deps.store.db, row.id, row.claimedAt!, {
    status: 'unknown',
    reply: `${UNKNOWN_HELD} (${c.reply})`,
  });
  deps.log.warn(
    { recipientId: row.id, newsletterId: row.newsletterId, reply: c.reply },
    'newsletter message outcome unknown; held for a decision',
  );
  await deps.queues.get('newsletter').rateLimit(pause);
  return 'unknown';
}

/**
 * A row found `sending` whose worker died. Nothing of the message had gone out (no transmittedAt):
 * it is sent again, safely. Its bytes had started to go out: the server may have accepted it, so it is
 * held as `unknown` (or sent again with the same Message-ID when unknownOutcome is `resend`).
 */
export async function recoverInterruptedClaim(
  deps: OutcomeDeps,
  row: Recipient,
): Promise<'pending' | 'unknown' | 'changed'> {
  const claimedAt = row.claimedAt ?? '';
  if (!row.transmittedAt) {
    const ok = await endInterruptedClaim(
      deps.store.db,
      row.id,
      claimedAt,
      'pending',
      'the previous attempt stopped before the message was transmitted; sending again',
    );
    return ok ? 'pending' : 'changed';
  }
  if (resendsUnknown(deps.config)) {
    const ok = await endInterruptedClaim(
      deps.store.db,
      row.id,
      claimedAt,
      'pending',
      'the previous attempt stopped while transmitting; sending again with the same Message-ID',
    );
    return ok ? 'pending' : 'changed';
  }
  const ok = await endInterruptedClaim(
    deps.store.db,
    row.id,
    claimedAt,
    'unknown',
    `the worker stopped while the message was being transmitted: the server may have accepted it. Not sent again automatically; "resend unknown" sends it again with the same Message-ID`,
  );
  if (ok)
    deps.log.warn(
      { recipientId: row.id, newsletterId: row.newsletterId },
      'interrupted newsletter message held as unknown',
    );
  return ok ? 'unknown' : 'changed';
}
