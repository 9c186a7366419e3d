// One `send` job: one recipient row. Claim the row in one statement, check the contact as it is now,
// render, mark the row the moment the message's bytes start to go out, send, record the server's reply.
import { DelayedError, RateLimitError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/schema.js';
import type { Newsletter } from '../domain/newsletter-send.js';
import type { ContactStatus } from '../domain/member.js';
import { shouldReceive } from '../domain/newsletter.js';
import type { Store } from '../store/db.js';
import { nowIso } from '../store/db.js';
import type { ClaimedRecipient } from '../store/newsletters.js';
import {
  claimRecipient,
  findNewsletter,
  findRecipient,
  markTransmitting,
  recordOutcome,
} from '../store/newsletters.js';
import { newsletterSendJobSchema } from '../queues/payloads.js';
import type { Queues } from '../queues/producer.js';
import type { Telemetry } from '../queues/telemetry.js';
import type { CompiledCache } from './compose.js';
import { composeMessage, itemsOf } from './compose.js';
import type { NewsletterItem } from './content.js';
import { finishIfDone } from './send-flow.js';
import { applyFailure, recoverInterruptedClaim, TransportHealth } from './send-outcome.js';
import type { NewsletterSettings } from './settings.js';
import type { MailTransport, SendReceipt } from './transport.js';

export interface SenderDeps {
  store: Store;
  queues: Queues;
  log: Logger;
  config: HeraldConfig;
  settings: NewsletterSettings;
  transport: MailTransport;
  compiled: CompiledCache;
  metrics?: Telemetry;
}

const FINISH_CHECK_MS = 250;

export interface SendResult {
  status: string;
  recipientId: string;
}

interface Loaded {
  newsletter: Newsletter;
  items: NewsletterItem[];
}

export class RecipientSender {
  /** Newsletters being sent do not change (their content is a snapshot): a few are kept in memory. */
  private readonly newsletters = new Map<string, Promise<Loaded | null>>();
  private readonly health = new TransportHealth();
  private readonly finishChecks = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: SenderDeps) {}

  /** Stops the pending "is it finished?" checks (the sweeper does them if need be). */
  close(): void {
    for (const timer of this.finishChecks.values()) clearTimeout(timer);
    this.finishChecks.clear();
  }

  /**
   * A newsletter whose last recipient is done becomes `sent`. Checked shortly after a message finishes,
   * coalesced: the check runs after the latest message that asked for it, and a send of thousands costs
   * a few queries, not one per message.
   */
  private checkFinished(id: string): void {
    if (this.finishChecks.has(id)) return;
    const timer = setTimeout(() => {
      this.finishChecks.delete(id);
      finishIfDone(this.deps.store, id).catch((error: Error) =>
        this.deps.log.warn(
          { newsletterId: id, err: error.message },
          'could not check whether the newsletter is finished',
        ),
      );
    }, FINISH_CHECK_MS);
    this.finishChecks.set(id, timer);
  }

  /** The job processor. */
  async process(job: Job, token: string | undefined): Promise<SendResult> {
    const { recipientId } = newsletterSendJobSchema.parse(job.data);
    const row = await claimRecipient(this.deps.store.db, recipientId);
    if (!row) return this.notClaimed(job, token, recipientId);
    const loaded = await this.load(row.newsletterId);
    if (!loaded) throw new Error(`newsletter ${row.newsletterId} has no content snapshot`);
    const status = await this.attempt(row, loaded, job, token).catch((error: unknown) => {
      // A retry later (the row is deferred, the job delayed or the queue paused): one attempt that did not send.
      if (error instanceof DelayedError || error instanceof RateLimitError)
        this.deps.metrics?.newsletterMessage('deferred');
      throw error;
    });
    if (status !== 'lost') this.deps.metrics?.newsletterMessage(status);
    this.checkFinished(row.newsletterId);
    return { status, recipientId };
  }

  private load(id: string): Promise<Loaded | null> {
    let entry = this.newsletters.get(id);
    if (!entry) {
      const db = this.deps.store.db;
      entry = findNewsletter(db, id).then(async (n) =>
        n?.content ? { newsletter: n, items: await itemsOf(db, n, this.deps.config.publicUrl) } : null,
      );
      entry.then(
        (v) => v ?? this.newsletters.delete(id),
        () => this.newsletters.delete(id),
      );
      if (this.newsletters.size >= 50) this.newsletters.delete(this.newsletters.keys().next().value!);
      this.newsletters.set(id, entry);
    }
    return entry;
  }

  /** Why the row could not be claimed, and what the job does about it. */
  private async notClaimed(job: Job, token: string | undefined, id: string): Promise<SendResult> {
    const row = await findRecipient(this.deps.store.db, id);
    if (!row) return { status: 'gone', recipientId: id };
    if (row.status === 'sending') {
      // Claimed earlier and never recorded: this job is a re-run after its worker died.
      const next = await recoverInterruptedClaim(this.deps, row);
      if (next === 'pending') return this.process(job, token);
      this.checkFinished(row.newsletterId);
      return { status: next, recipientId: id };
    }
    if (
      (row.status === 'pending' || row.status === 'deferred') &&
      row.nextAttemptAt &&
      Date.parse(row.nextAttemptAt) > Date.now()
    ) {
      const newsletter = await findNewsletter(this.deps.store.db, row.newsletterId);
      if (newsletter?.status === 'sending') {
        await job.moveToDelayed(Date.parse(row.nextAttemptAt), token);
        throw new DelayedError();
      }
    }
    // Paused (resume adds the job again), cancelled, or already final.
    return { status: row.status, recipientId: id };
  }

  private async attempt(
    row: ClaimedRecipient,
    { newsletter, items }: Loaded,
    job: Job,
    token: string | undefined,
  ): Promise<string> {
    const { store, settings, transport } = this.deps;
    const claimedAt = row.claimedAt!;
    // The contact as it is now (read by the claim): unsubscribed or bounced meanwhile means skipped.
    const contact = row.contact && {
      status: row.contact.status as ContactStatus,
      subscriptions: { announcements: row.contact.announcements, digest: row.contact.digest },
    };
    if (!contact || !shouldReceive(contact, newsletter.kind)) {
      const reason = !contact
        ? 'the contact was deleted'
        : contact.status === 'active'
          ? `the contact is not subscribed to ${newsletter.kind}s`
          : `the contact is ${contact.status}`;
      await recordOutcome(store.db, row.id, claimedAt, { status: 'skipped', reply: `not sent: ${reason}` });
      return 'skipped';
    }
    let transmitted = false;
    let claimLost = false;
    let receipt: SendReceipt;
    try {
      const compiled = await this.deps.compiled.get(newsletter, items, row.language, settings);
      const { message } = composeMessage(
        compiled,
        newsletter,
        {
          recipientId: row.id,
          contactId: row.contactId,
          email: row.email,
          name: row.name,
          authorityName: row.authorityName,
        },
        settings,
      );
      receipt = await transport.send(message, {
        onTransmit: async () => {
          claimLost = !(await markTransmitting(store.db, row.id, claimedAt));
          if (claimLost)
            throw new Error(
              'the claim on this recipient was lost (another worker took it over); not sending',
            );
          transmitted = true;
        },
      });
    } catch (error) {
      // Another worker recovered this row meanwhile: it is theirs now, nothing of ours went out.
      if (claimLost) return 'lost';
      return applyFailure(this.deps, this.health, { row, newsletter, error, transmitted, job, token });
    }
    // The server has it. Recording must not be mistaken for a failed send: it is retried, and if the
    // database stays away the row keeps its transmittedAt, so recovery never sends it blindly again.
    await withRetries(() =>
      recordOutcome(store.db, row.id, claimedAt, {
        status: 'sent',
        reply: receipt.response,
        messageId: receipt.messageId,
        sentAt: nowIso(),
      }),
    );
    this.health.ok();
    return 'sent';
  }
}

const RECORD_RETRIES_MS = [100, 500, 2_000];

async function withRetries<T>(fn: () => Promise<T>): Promise<T> {
  for (const pause of RECORD_RETRIES_MS) {
    try {
      return await fn();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
  return fn();
}
