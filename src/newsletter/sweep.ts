// The newsletter reconciler, run by a job scheduler: the database says what must happen; Redis may
// have forgotten (flushed, a lost write) and workers may have died holding a claim. Safe to run anywhere,
// any time: job ids are row ids, and a job for a row that is done does nothing.
import type { Newsletter } from '../domain/newsletter-send.js';
import { recordAudit } from '../store/audit.js';
import { listNewslettersByStatus, staleClaims, transitionNewsletter } from '../store/newsletters.js';
import { newsletterStartJobSchema } from '../queues/payloads.js';
import { startAutomatic } from './digest.js';
import { enqueueOpenRecipients, hasStartJob } from './jobs.js';
import type { NewsletterDeps } from './send-flow.js';
import { finishIfDone, startSend } from './send-flow.js';
import { recoverInterruptedClaim } from './send-outcome.js';
import { isRefusedSend } from './templates.js';

export interface SweepReport {
  schedulesRestored: number;
  claimsRecovered: number;
  newslettersChecked: number;
  finished: number;
  automaticStarted: number;
}

export async function sweepNewsletters(deps: NewsletterDeps): Promise<SweepReport> {
  const report: SweepReport = {
    schedulesRestored: 0,
    claimsRecovered: 0,
    newslettersChecked: 0,
    finished: 0,
    automaticStarted: 0,
  };
  for (const n of await listNewslettersByStatus(deps.store.db, ['scheduled'])) {
    if (!n.scheduleToken || !n.scheduledAt || (await hasStartJob(deps.queues, n.id, n.scheduleToken)))
      continue;
    await deps.queues.enqueueNewsletterStart(n.id, n.scheduleToken, n.scheduledAt);
    report.schedulesRestored++;
  }
  report.claimsRecovered = await recoverStaleClaims(deps);
  for (const n of await listNewslettersByStatus(deps.store.db, ['sending'])) {
    report.newslettersChecked++;
    await enqueueOpenRecipients(deps, n.id);
    if (await finishIfDone(deps.store, n.id)) report.finished++;
  }
  report.automaticStarted = await retryAutomaticDrafts(deps);
  if (report.schedulesRestored + report.claimsRecovered > 0)
    deps.log.warn(report, 'newsletter sweep repaired jobs or claims');
  return report;
}

/** Rows left `sending` by a worker that died, when no worker holds their job any more. */
async function recoverStaleClaims(deps: NewsletterDeps): Promise<number> {
  const graceMs = Math.max(3 * deps.config.delivery.lockMs, 60_000);
  const queue = deps.queues.get('newsletter');
  let recovered = 0;
  for (const row of await staleClaims(deps.store.db, new Date(Date.now() - graceMs).toISOString())) {
    const job = await queue.getJob(row.id);
    if (job && (await job.getState()) === 'active') continue;
    if ((await recoverInterruptedClaim(deps, row)) !== 'changed') recovered++;
  }
  return recovered;
}

const AUTOMATIC_RETRY_MS = 24 * 3600_000;
/** The job that made the draft is normally starting it right now: leave it that long. */
const AUTOMATIC_GRACE_MS = 2 * 60_000;

async function retryAutomaticDrafts(deps: NewsletterDeps): Promise<number> {
  const now = Date.now();
  const drafts = (await listNewslettersByStatus(deps.store.db, ['draft'])).filter((n) => {
    const age = now - Date.parse(n.createdAt);
    return n.source !== 'staff' && age > AUTOMATIC_GRACE_MS && age < AUTOMATIC_RETRY_MS;
  });
  let started = 0;
  for (const n of drafts) if ((await startAutomatic(deps, n, n.source)).status !== 'draft') started++;
  return started;
}

/** The delayed `start` job of a scheduled newsletter. A problem a person must fix puts it back to draft. */
export async function runScheduledStart(deps: NewsletterDeps, data: unknown): Promise<{ status: string }> {
  const { newsletterId, scheduleToken } = newsletterStartJobSchema.parse(data);
  try {
    const n: Newsletter = await startSend(deps, newsletterId, {
      actor: 'scheduler',
      expectedToken: scheduleToken,
    });
    return { status: n.status };
  } catch (error) {
    if (!isRefusedSend(error)) throw error;
    const reverted = await transitionNewsletter(deps.store.db, newsletterId, ['scheduled'], {
      status: 'draft',
      scheduleToken: null,
    });
    if (reverted)
      await recordAudit(deps.store.db, {
        actor: 'scheduler',
        action: 'newsletter_send_failed',
        subjectType: 'newsletter',
        subjectId: newsletterId,
        details: { reason: error.message },
      });
    deps.log.error(
      { newsletterId, err: error.message },
      'scheduled newsletter could not start; back to draft',
    );
    return { status: 'draft' };
  }
}
