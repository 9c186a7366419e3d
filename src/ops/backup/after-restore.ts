// A restored database is a moment in the past: what happened after the backup was taken (posts, messages)
// is not in it. Before Herald starts on it, work that may have been done since is made safe to resume.
import type { Store } from '../../store/db.js';
import { recordAudit } from '../../store/audit.js';
import { markOpenCreatesUncertain } from '../../store/deliveries.js';
import {
  endInterruptedClaim,
  listNewslettersByStatus,
  staleClaims,
  transitionNewsletter,
} from '../../store/newsletters.js';
import type { Manifest } from './manifest.js';

export interface AfterRestore {
  /** Open social posts that will look for themselves on the platform before posting. */
  uncertainDeliveries: number;
  /** Newsletters that were being sent, now paused for a person to resume. */
  pausedNewsletters: string[];
  /** Messages that were going out at the moment of the backup: the server may have them; held for a decision. */
  heldMessages: number;
}

export async function prepareRestoredDatabase(store: Store, manifest: Manifest): Promise<AfterRestore> {
  const since = `restored from the backup of ${manifest.createdAt}`;
  return store.transaction(async (trx) => {
    const uncertainDeliveries = await markOpenCreatesUncertain(
      trx,
      'channel',
      `${since}: Herald looks for the post on the account before posting, in case it went out after the backup`,
    );
    const pausedNewsletters: string[] = [];
    for (const newsletter of await listNewslettersByStatus(trx, ['sending'])) {
      // Mail cannot be looked up afterwards: messages sent after the backup would go out twice if sending simply went on.
      if (!(await transitionNewsletter(trx, newsletter.id, ['sending'], { status: 'paused' }))) continue;
      await recordAudit(trx, {
        actor: 'restore',
        action: 'newsletter_paused',
        subjectType: 'newsletter',
        subjectId: newsletter.id,
        details: { reason: `${since}: messages sent after that moment are not known` },
      });
      pausedNewsletters.push(newsletter.id);
    }
    const heldMessages = await endClaims(trx, since);
    await recordAudit(trx, {
      actor: 'restore',
      action: 'restored',
      subjectType: 'installation',
      subjectId: 'herald',
      details: { backupCreatedAt: manifest.createdAt, backupVersion: manifest.herald },
    });
    return { uncertainDeliveries, pausedNewsletters, heldMessages };
  });
}

/**
 * Recipients claimed at the moment of the backup: no worker holds them in the restored installation. Those
 * whose message had not started out go back to pending; the others are held as unknown, as after a crash.
 */
async function endClaims(db: Store['db'], since: string): Promise<number> {
  let held = 0;
  for (;;) {
    const claimed = await staleClaims(db, '9999-12-31T23:59:59.999Z');
    if (claimed.length === 0) return held;
    for (const row of claimed) {
      const to = row.transmittedAt ? 'unknown' : 'pending';
      const why =
        to === 'unknown'
          ? `${since}: the message was being transmitted then and the server may have accepted it; "resend unknown" sends it again`
          : `${since}: the message had not gone out`;
      if ((await endInterruptedClaim(db, row.id, row.claimedAt ?? '', to, why)) && to === 'unknown') held++;
    }
  }
}
