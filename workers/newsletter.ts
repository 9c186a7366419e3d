import { Worker, type Job } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { makeDeliveryProcessor } from '../src/queues/deliver.js';
import { workerOptions } from '../src/queues/worker-options.js';
import { newsletterTaskJobSchema } from '../src/queues/payloads.js';
import { announceHandler } from '../src/newsletter/announce.js';
import { CompiledCache } from '../src/newsletter/compose.js';
import { runDigest } from '../src/newsletter/digest.js';
import { configuredBounceMailbox } from '../src/newsletter/bounce-mailbox.js';
import { installNewsletterSchedulers } from '../src/newsletter/jobs.js';
import { NEWSLETTER_JOB as JOB } from '../src/queues/names.js';
import { keepInstalled } from '../src/queues/schedulers.js';
import { RecipientSender } from '../src/newsletter/send-recipient.js';
import { newsletterSettings } from '../src/newsletter/settings.js';
import { runScheduledStart, sweepNewsletters } from '../src/newsletter/sweep.js';
import { createMailTransport } from '../src/newsletter/transport.js';

/**
 * The newsletter queue: one `send` job per recipient through a pooled SMTP transport (or .eml files),
 * BullMQ's limiter holding messages per second across every worker; announcement deliveries; the
 * scheduled starts, the digest and the sweeper.
 */
export function startNewsletterWorker(ctx: Context): { worker: Worker; stop(): void } {
  const log = ctx.log.child({ queue: 'newsletter' });
  const settings = newsletterSettings(ctx.config);
  const nl = ctx.config.newsletter;
  const transport = createMailTransport({
    smtpUrl: nl.smtpUrl,
    emlDir: settings.emlDir,
    maxConnections: nl.poolSize,
  });
  const deps = { store: ctx.store, queues: ctx.queues, log, config: ctx.config, metrics: ctx.metrics };
  const sender = new RecipientSender({ ...deps, settings, transport, compiled: new CompiledCache() });
  const mailbox = configuredBounceMailbox(deps);
  const deliver = makeDeliveryProcessor({
    store: ctx.store,
    gate: ctx.gate,
    log,
    handlers: { newsletter: announceHandler(deps) },
    backoffMs: ctx.config.delivery.backoffMs,
    lockMs: ctx.config.delivery.lockMs,
    metrics: ctx.metrics,
  });

  const processor = async (job: Job, token?: string): Promise<unknown> => {
    switch (job.name) {
      case JOB.send:
        return sender.process(job, token);
      case JOB.deliver:
        return deliver(job, token);
      case JOB.start:
        return runScheduledStart(deps, job.data);
      default: {
        const { task } = newsletterTaskJobSchema.parse(job.data);
        if (task === 'bounces') return mailbox?.run() ?? { skipped: 'HERALD_BOUNCE_IMAP_URL is not set' };
        return task === 'digest' ? summary(await runDigest(deps)) : sweepNewsletters(deps);
      }
    }
  };
  const worker = new Worker('newsletter', processor, {
    ...workerOptions(ctx, nl.concurrency),
    limiter: { max: nl.messagesPerSecond, duration: 1_000 },
  });
  // Jobs still running when the worker closes need the transport: close it after them.
  worker.on('closed', () => {
    sender.close();
    transport.close();
  });
  log.debug(
    { transport: transport.description, poolSize: nl.poolSize, messagesPerSecond: nl.messagesPerSecond },
    'newsletter worker ready',
  );

  const stopInstalling = keepInstalled(
    () => installNewsletterSchedulers(deps),
    ctx.config.delivery.reconcileEveryMs,
    log,
  );
  // IDLE: reports are read as soon as they arrive; the scheduled run catches up if the connection drops.
  const watching =
    mailbox && nl.bounceMailbox.idle
      ? mailbox
          .watch()
          .catch((e: Error) =>
            log.warn({ err: e.message }, 'bounce mailbox: IDLE not available; reading on schedule only'),
          )
      : null;
  const stop = () => {
    stopInstalling();
    void watching?.then((unwatch) => unwatch?.());
  };
  return { worker, stop };
}

const summary = (d: Awaited<ReturnType<typeof runDigest>>) => ({
  from: d.from,
  to: d.to,
  items: d.items,
  newsletterId: d.newsletter?.id ?? null,
});
