// The periodic digest: everything published since the previous digest, or nothing at all when nothing
// was published. The window start is kept in the database (newsletter_state `digest.since`) and each
// digest's source key is its window start, so a re-run of the same scheduler job cannot make two.
import type { Newsletter } from '../domain/newsletter-send.js';
import { nowIso } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { getState, initState, insertNewsletter, setState } from '../store/newsletters.js';
import { DIGEST_CURSOR } from './jobs.js';
import type { NewsletterDeps } from './send-flow.js';
import { startSend } from './send-flow.js';
import { isRefusedSend } from './templates.js';

/** More would make an unreadable email; the digest then lists the most recent ones. */
export const DIGEST_MAX_ITEMS = 50;

export interface DigestOutcome {
  from: string;
  to: string;
  items: number;
  newsletter: Newsletter | null;
}

export async function runDigest(deps: NewsletterDeps, to = nowIso()): Promise<DigestOutcome> {
  const planned = await deps.store.transaction(async (trx) => {
    const from = (await getState(trx, DIGEST_CURSOR)) ?? (await initState(trx, DIGEST_CURSOR, to));
    const rows = await trx
      .selectFrom('items')
      .select('id')
      .where('status', '=', 'published')
      .where('publishedAt', '>', from)
      .where('publishedAt', '<=', to)
      .orderBy('publishedAt', 'desc')
      .orderBy('id')
      .limit(DIGEST_MAX_ITEMS)
      .execute();
    if (rows.length === 0) return { from, to, items: 0, newsletter: null };
    const itemIds = rows.map((r) => r.id).reverse();
    const { newsletter, created } = await insertNewsletter(trx, {
      kind: 'digest',
      itemIds,
      source: 'digest',
      sourceKey: `digest:${from}`,
      digestFrom: from,
      digestTo: to,
      createdBy: 'digest',
    });
    if (created) {
      await setState(trx, DIGEST_CURSOR, to);
      await recordAudit(trx, {
        actor: 'digest',
        action: 'newsletter_created',
        subjectType: 'newsletter',
        subjectId: newsletter.id,
        details: { from, to, items: itemIds.length },
      });
    }
    return { from, to, items: itemIds.length, newsletter };
  });
  if (!planned.newsletter) {
    deps.log.info(
      { from: planned.from, to: planned.to },
      'digest: nothing published since the previous one; nothing sent',
    );
    return planned;
  }
  return { ...planned, newsletter: await startAutomatic(deps, planned.newsletter, 'digest') };
}

/**
 * Starts a newsletter Herald made by itself. A problem a person must fix (configuration, template)
 * leaves it as a draft, logged; the sweeper tries again for a day, and staff can send it by hand.
 */
export async function startAutomatic(
  deps: NewsletterDeps,
  newsletter: Newsletter,
  actor: string,
): Promise<Newsletter> {
  if (newsletter.status !== 'draft') return newsletter;
  try {
    return await startSend(deps, newsletter.id, { actor });
  } catch (error) {
    if (!isRefusedSend(error)) throw error;
    deps.log.error(
      { newsletterId: newsletter.id, err: error.message },
      'automatic newsletter left as a draft',
    );
    return newsletter;
  }
}
